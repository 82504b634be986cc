//! The IATI 2.03 results export: one `iati-activities` document with one activity for the
//! strategy (filled in by the next commit).
