//! Functions: tag tests, identities, `missing` / `exists` and `count(...)`.

use super::{PResult, Parser};
use crate::condition::ast::{COUNT_KEYWORDS, Count, Literal, Node, TagTest, Window, check_count};
use crate::condition::facts::EventFilter;
use crate::condition::lexer::Tok;
use crate::error::ErrorKind;

/// Function names and how to call them, for "unknown function" and argument errors.
const FUNCTIONS: [(&str, &str); 9] = [
    ("has_tag", "has_tag(\"tag\")"),
    ("has_any_tag", "has_any_tag([\"tag\", ...])"),
    ("has_all_tags", "has_all_tags([\"tag\", ...])"),
    ("has_none_of", "has_none_of([\"tag\", ...])"),
    ("has_tag_in_group", "has_tag_in_group(\"group\")"),
    ("has_identity", "has_identity(\"phone\")"),
    ("missing", "missing(field)"),
    ("exists", "exists(field)"),
    (
        "count",
        "count(event = \"name\", property = value, ..., within = \"7d\") >= n",
    ),
];

impl<'a> Parser<'a> {
    pub(super) fn function(&mut self, name: &'a str, at: usize) -> PResult<Node> {
        let Some(&(_, usage)) = FUNCTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(self.fail(
                ErrorKind::Parse,
                at,
                format!(
                    "unknown function `{name}`; functions are {}",
                    function_names()
                ),
            ));
        };
        self.advance(); // the name
        self.arguments(name, at).map_err(|mut f| {
            if f.kind == ErrorKind::Parse && f.message.starts_with("expected") {
                f.message = format!("{} (usage: {usage})", f.message);
            }
            f
        })
    }

    pub(super) fn arguments(&mut self, name: &str, at: usize) -> PResult<Node> {
        if name == "count" {
            return self.count(at);
        }
        self.expect(&Tok::LParen, "`(`")?;
        let node = match name {
            "has_tag" => Node::Tags(TagTest::Any, vec![self.string("the tag")?]),
            "has_any_tag" => Node::Tags(TagTest::Any, self.tag_list()?),
            "has_all_tags" => Node::Tags(TagTest::All, self.tag_list()?),
            "has_none_of" => Node::Tags(TagTest::None, self.tag_list()?),
            "has_tag_in_group" => Node::HasTagInGroup(self.string("the tag group")?),
            "has_identity" => Node::HasIdentity(self.string("the identity kind")?),
            "missing" => Node::Missing(self.field()?),
            _ => Node::Exists(self.field()?),
        };
        self.expect(&Tok::RParen, "`)`")?;
        Ok(node)
    }

    pub(super) fn tag_list(&mut self) -> PResult<Vec<String>> {
        self.list_of(|p| p.string("a tag"))
    }

    pub(super) fn count(&mut self, at: usize) -> PResult<Node> {
        self.expect(&Tok::LParen, "`(`")?;
        let mut event = None;
        let mut within = None;
        let mut properties: Vec<(String, Literal)> = Vec::new();
        loop {
            let name_at = self.at();
            let Tok::Ident(name) = *self.peek() else {
                self.expected
                    .push("a named argument such as `event = \"...\"`");
                return Err(self.unexpected());
            };
            self.advance();
            self.expect(&Tok::Eq, "`=`")?;
            let value_at = self.at();
            let seen = match name {
                "event" => event.replace(self.string("the event name")?).is_some(),
                "within" => {
                    let text = self.string("the window")?;
                    let window = Window::parse(&text)
                        .map_err(|m| self.fail(ErrorKind::Validation, value_at, m))?;
                    within.replace(window).is_some()
                }
                _ => {
                    let seen = properties.iter().any(|(k, _)| k == name);
                    properties.push((name.to_owned(), self.literal()?));
                    seen
                }
            };
            if seen {
                return Err(self.fail(
                    ErrorKind::Parse,
                    name_at,
                    format!("`{name}` is given twice in `count(...)`"),
                ));
            }
            if !self.eat(&Tok::Comma, "`,`") {
                self.expect(&Tok::RParen, "`)`")?;
                break;
            }
        }
        let Some(event) = event else {
            return Err(self.fail(
                ErrorKind::Parse,
                at,
                format!(
                    "`count(...)` needs `event = \"name\"`; its other arguments are `within` \
                     and event properties (named arguments: {})",
                    COUNT_KEYWORDS.join(", ")
                ),
            ));
        };
        let filter = EventFilter::new(event, properties)
            .map_err(|m| self.fail(ErrorKind::Validation, at, m))?;
        let op = self.operator(false)?;
        let value_at = self.at();
        let value = self.literal()?;
        let value =
            check_count(op, &value).map_err(|m| self.fail(ErrorKind::Validation, value_at, m))?;
        Ok(Node::Count(Count {
            filter,
            within,
            op,
            value,
        }))
    }
}

pub(super) fn function_names() -> String {
    let names: Vec<String> = FUNCTIONS.iter().map(|(n, _)| format!("`{n}`")).collect();
    names.join(", ")
}
