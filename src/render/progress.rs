//! Rendering the progress table (issue 4).
