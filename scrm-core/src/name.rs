//! [`Name`]: a tag id, a rule id, or another short identifier that a record carries, kept inside
//! the record when it is short.
//!
//! Tagging copies a tag id and a rule id into every applied tag and every change it reports, and
//! looks for a tag among a customer's tags on every message (decision 0024). As `String`s those
//! copies were four allocations per added tag, and each look compared bytes behind a pointer, a
//! cache miss per tag when the customer had not been seen for a while. A `Name` of up to 24 bytes
//! (every id of the sample playbooks) lives inline, in the 24 bytes a `String` takes; a longer one
//! is allocated as before. It reads as a `&str` (through `Deref`), serialises as a JSON string and
//! compares equal to the `str` of the same text.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// A short identifier (a tag id, a rule id), stored inline up to 24 bytes. Use it as a `&str`;
/// make one with `Name::from("vip")` or `.into()` from a `&str` or `String`.
///
/// ```
/// let name = scrm_core::Name::from("vip");
/// assert_eq!(name, "vip");
/// assert_eq!(name.len(), 3);
/// assert_eq!(serde_json::to_string(&name).unwrap(), "\"vip\"");
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(CompactString);

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The bytes it holds on the heap: none when it is inline.
    pub(crate) fn heap_bytes(&self) -> usize {
        if self.0.is_heap_allocated() {
            self.0.capacity()
        } else {
            0
        }
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name(CompactString::new(text))
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::from(text.as_str())
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name(CompactString::from(text))
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.into_string()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl schemars::JsonSchema for Name {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        String::schema_id()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::Name;
    use proptest::prelude::*;

    proptest! {
        /// A name is its text: the same comparisons, order, hash, JSON and `Debug` as a `String`.
        #[test]
        fn a_name_behaves_as_its_text(a in ".{0,40}", b in ".{0,40}") {
            let (na, nb) = (Name::from(a.as_str()), Name::from(b.clone()));
            prop_assert_eq!(na == nb, a == b);
            prop_assert_eq!(na.cmp(&nb), a.cmp(&b));
            prop_assert_eq!(&*na, a.as_str());
            prop_assert!(na == a);
            prop_assert!(a == na);
            prop_assert_eq!(format!("{na:?}"), format!("{a:?}"));
            prop_assert_eq!(serde_json::to_string(&na).unwrap(), serde_json::to_string(&a).unwrap());
            let back: Name = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
            prop_assert_eq!(&back, &na);
            let hash = |x: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
                use std::hash::Hasher;
                let mut h = std::collections::hash_map::DefaultHasher::new();
                x(&mut h);
                h.finish()
            };
            use std::hash::Hash;
            prop_assert_eq!(hash(&|h| na.hash(h)), hash(&|h| a.as_str().hash(h)));
            prop_assert_eq!(String::from(na), a);
        }
    }

    #[test]
    fn its_schema_is_a_string() {
        let schema = schemars::schema_for!(Name);
        assert_eq!(schema.get("type").and_then(|t| t.as_str()), Some("string"));
    }
}
