//! A posted election form as typed: single fields plus the ticked work
//! locations (one `work_locations` pair per ticked box, which a plain
//! struct cannot take).

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use crate::error::Error;

pub const WORK_LOCATIONS: &str = "work_locations";

#[derive(Debug, Default, Clone)]
pub struct Submitted {
    fields: HashMap<String, String>,
    /// As sent, so a re-rendered form ticks exactly the same boxes.
    pub ticked: BTreeSet<String>,
}

impl Submitted {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut form = Submitted::default();
        for (key, value) in pairs {
            if key == WORK_LOCATIONS {
                form.ticked.insert(value);
            } else {
                form.fields.insert(key, value);
            }
        }
        form
    }

    /// A text field; missing counts as empty.
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The ticked work locations. Only a hand-made request sends something
    /// that is not an id of a listed box.
    pub fn work_locations(&self) -> Result<BTreeSet<Uuid>, Error> {
        self.ticked
            .iter()
            .map(|v| Uuid::parse_str(v).map_err(|_| Error::BadRequest("ukendt arbejdssted".into())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_boxes_are_collected() {
        let id = Uuid::new_v4().to_string();
        let form = Submitted::new(vec![
            ("title".into(), "Folketingsvalg".into()),
            (WORK_LOCATIONS.into(), id.clone()),
            (WORK_LOCATIONS.into(), id.clone()),
        ]);
        assert_eq!(form.text("title"), "Folketingsvalg");
        assert_eq!(form.text("missing"), "");
        assert_eq!(form.work_locations().unwrap().len(), 1);
        assert!(Submitted::new(vec![(WORK_LOCATIONS.into(), "x".into())]).work_locations().is_err());
    }
}
