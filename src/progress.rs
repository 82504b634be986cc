//! Progress against targets (issue 4).
