//! Rendering a diff (issue 5).
