//! What changed between two frameworks (issue 5).
