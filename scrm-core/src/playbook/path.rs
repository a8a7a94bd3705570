//! Paths into a document, as error messages print them: `taxonomy.groups[2].tags[0].id`.

/// Appends a field name to a path.
pub(crate) fn field(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// Appends a list index to a path.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_paths_like_the_messages_print_them() {
        let p = index(&field(&field("", "taxonomy"), "groups"), 2);
        assert_eq!(field(&p, "id"), "taxonomy.groups[2].id");
    }
}
