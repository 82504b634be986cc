//! Who still owes a report (issue 17).
