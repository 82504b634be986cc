//! What a re-recorded value keeps: [`Keep`] says which texts of a [`NewValue`] were left
//! unsaid, and [`Inherited`] holds the texts a correction takes over from the value it replaces.
//! The rule: the same value without a note or source is `unchanged` and keeps
//! them; a new value starts without them, since they described the old one.

use super::writer::NewValue;

/// Which texts of a [`NewValue`] were left unsaid: an unsaid (`None`) note or source of a value
/// equal to the current one keeps the current text, so re-recording the same value without a
/// note is `unchanged`. A new value never inherits texts: they described the old value.
/// `record` without `--note` leaves the note unsaid (`--clear-note` removes it); an import row
/// leaves empty cells unsaid unless it carries its own `recorded_at` (a copy of a recorded
/// value, taken exactly as written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    pub note: bool,
    pub source: bool,
}

impl Keep {
    /// Both texts, where `None`, are kept.
    pub const UNSAID: Keep = Keep {
        note: true,
        source: true,
    };
    /// `None` means none.
    pub const AS_GIVEN: Keep = Keep {
        note: false,
        source: false,
    };
}

impl NewValue<'_> {
    /// Whether the note (or source), being `None`, is to stay as it is.
    pub(super) fn keeps_note(&self) -> bool {
        self.keep.note && self.note.is_none()
    }

    pub(super) fn keeps_source(&self) -> bool {
        self.keep.source && self.source.is_none()
    }
}

/// The texts a correction takes from the value it replaces: those it leaves unsaid, when its
/// value is the same (see [`Keep`]).
#[derive(Debug, Default)]
pub(super) struct Inherited {
    pub note: Option<String>,
    pub source: Option<String>,
}

impl Inherited {
    /// What `v` inherits from a current value of `value` (with the ratio `parts`) whose texts
    /// `note` and `source` read (read only if needed). Other parts make another value.
    pub(super) fn of<E>(
        v: &NewValue<'_>,
        value: f64,
        parts: Option<(f64, f64)>,
        note: impl FnOnce() -> Result<Option<String>, E>,
        source: impl FnOnce() -> Result<Option<String>, E>,
    ) -> Result<Inherited, E> {
        let mut inherited = Inherited::default();
        if value == v.value && parts == v.parts {
            if v.keeps_note() {
                inherited.note = note()?;
            }
            if v.keeps_source() {
                inherited.source = source()?;
            }
        }
        Ok(inherited)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{store_with_indicator, value};
    use super::super::writer::ValueWriter;
    use super::super::{Imported, Written};
    use super::*;

    #[test]
    fn unsaid_texts_of_the_same_value_are_kept_and_a_new_value_inherits_none() {
        let (_, id) = store_with_indicator();
        let texts = |note, source, keep| NewValue {
            source,
            keep,
            ..value(id, 1.0, note)
        };
        let current = |w: &ValueWriter<'_>| -> (f64, Option<String>, Option<String>) {
            w.conn
                .query_row(
                    "SELECT value, note, source FROM value WHERE replaced_by IS NULL",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        for bulk in [true, false] {
            let (mut store, _) = store_with_indicator();
            store
                .write_values(bulk, |w| {
                    fn write(w: &mut ValueWriter<'_>, bulk: bool, v: &NewValue<'_>) -> bool {
                        match bulk {
                            true => w.import(v, false).unwrap() != Imported::Unchanged,
                            false => w.put(v).unwrap() != Written::Unchanged,
                        }
                    }
                    assert!(write(w, bulk, &texts(Some("n"), Some("s"), Keep::AS_GIVEN)));
                    assert!(!write(w, bulk, &texts(None, None, Keep::UNSAID)));
                    assert!(write(w, bulk, &texts(None, Some("t"), Keep::UNSAID)));
                    let (v, note, source) = current(w);
                    assert_eq!(
                        (v, note.as_deref(), source.as_deref()),
                        (1.0, Some("n"), Some("t"))
                    );
                    let new_value = NewValue {
                        value: 2.0,
                        ..texts(None, None, Keep::UNSAID)
                    };
                    assert!(write(w, bulk, &new_value));
                    assert_eq!(current(w), (2.0, None, None));
                    Ok(())
                })
                .unwrap();
        }
    }
}
