//! Who may do what (issue 17).
