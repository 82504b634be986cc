//! Queries behind the progress report (issue 4).
