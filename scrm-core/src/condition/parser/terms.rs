//! Fields, comparisons, values and lists.

use chrono::NaiveDate;

use super::{PResult, Parser};
use crate::condition::ast::{Field, Literal, Node, Op, Value, check_compare, check_name};
use crate::condition::lexer::Tok;
use crate::condition::{MAX_LIST_ITEMS, Number};
use crate::error::ErrorKind;

/// The fields, as "unknown field" messages list them.
pub(super) const FIELDS: &str = "`score`, `stage`, `owner`, `grade`, `attr.<name>`, \
                                 `attr(\"<name>\")` and `consent(\"<purpose>\", \"<channel>\")`";

impl Parser<'_> {
    pub(super) fn field(&mut self) -> PResult<Field> {
        let at = self.at();
        let Tok::Ident(name) = *self.peek() else {
            self.expected.push("a field");
            return Err(self.unexpected());
        };
        self.advance();
        match name {
            "score" => Ok(Field::Score),
            "stage" => Ok(Field::Stage),
            "owner" => Ok(Field::Owner),
            "grade" => Ok(Field::Grade),
            "attr" => self.attr_field(),
            "consent" => {
                self.expect(&Tok::LParen, "`(`")?;
                let purpose = self.string("the consent purpose")?;
                self.expect(&Tok::Comma, "`,`")?;
                let channel = self.string("the consent channel")?;
                self.expect(&Tok::RParen, "`)`")?;
                Ok(Field::Consent { purpose, channel })
            }
            _ => Err(self.fail(
                ErrorKind::Parse,
                at,
                format!("unknown field `{name}`; fields are {FIELDS}"),
            )),
        }
    }

    pub(super) fn attr_field(&mut self) -> PResult<Field> {
        if self.eat(&Tok::Dot, "`.`") {
            if let Tok::Ident(name) = *self.peek() {
                self.advance();
                return Ok(Field::Attr(name.to_owned()));
            }
            self.expected.push("an attribute name");
            return Err(self.unexpected());
        }
        if self.eat(&Tok::LParen, "`(`") {
            let name = self.string("the attribute name")?;
            self.expect(&Tok::RParen, "`)`")?;
            return Ok(Field::Attr(name));
        }
        Err(self.unexpected())
    }

    pub(super) fn comparison(&mut self, field: Field) -> PResult<Node> {
        let op = self.operator(true)?;
        let at = self.at();
        let value = if matches!(op, Op::In | Op::NotIn) {
            Value::List(self.list()?)
        } else {
            Value::One(self.literal()?)
        };
        check_compare(&field, op, &value).map_err(|m| self.fail(ErrorKind::Validation, at, m))?;
        Ok(Node::Compare { field, op, value })
    }

    pub(super) fn operator(&mut self, with_membership: bool) -> PResult<Op> {
        const SIMPLE: [(Tok<'static>, Op, &str); 6] = [
            (Tok::Eq, Op::Eq, "`=`"),
            (Tok::Ne, Op::Ne, "`!=`"),
            (Tok::Lt, Op::Lt, "`<`"),
            (Tok::Le, Op::Le, "`<=`"),
            (Tok::Gt, Op::Gt, "`>`"),
            (Tok::Ge, Op::Ge, "`>=`"),
        ];
        for (tok, op, shown) in SIMPLE {
            if self.eat(&tok, shown) {
                return Ok(op);
            }
        }
        if with_membership {
            if self.eat_keyword("in", "`in`") {
                return Ok(Op::In);
            }
            if self.eat_keyword("contains", "`contains`") {
                return Ok(Op::Contains);
            }
            if self.eat_keyword("not", "`not in`") {
                self.expect(&Tok::Ident("in"), "`in`")?;
                return Ok(Op::NotIn);
            }
        }
        Err(self.unexpected())
    }

    pub(super) fn literal(&mut self) -> PResult<Literal> {
        let at = self.at();
        let literal = match self.peek().clone() {
            Tok::Num(text) => Literal::Number(
                Number::parse_literal(text).map_err(|m| self.fail(ErrorKind::Validation, at, m))?,
            ),
            Tok::Str(s) => Literal::Text(s),
            Tok::Ident("true") => Literal::Bool(true),
            Tok::Ident("false") => Literal::Bool(false),
            Tok::Ident("date") if self.peek_next() == &Tok::LParen => {
                self.advance();
                self.advance();
                let text = self.string("the date")?;
                self.expect(&Tok::RParen, "`)`")?;
                let date =
                    parse_date(&text).map_err(|m| self.fail(ErrorKind::Validation, at, m))?;
                return Ok(Literal::Date(date));
            }
            _ => {
                self.expected.push("a value");
                return Err(self.unexpected());
            }
        };
        self.advance();
        Ok(literal)
    }

    pub(super) fn list(&mut self) -> PResult<Vec<Literal>> {
        self.list_of(Self::literal)
    }

    /// `[item, item, ...]`, a trailing comma allowed, at most [`MAX_LIST_ITEMS`] items.
    pub(super) fn list_of<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        self.expect(&Tok::LBracket, "`[`")?;
        let mut items = Vec::new();
        while !self.eat(&Tok::RBracket, "`]`") {
            if items.len() == MAX_LIST_ITEMS {
                let at = self.at();
                return Err(self.fail(
                    ErrorKind::Validation,
                    at,
                    format!("a list may hold at most {MAX_LIST_ITEMS} items"),
                ));
            }
            items.push(item(self)?);
            if !self.eat(&Tok::Comma, "`,`") {
                self.expect(&Tok::RBracket, "`]`")?;
                break;
            }
        }
        Ok(items)
    }

    /// A string argument; `what` names it in the blank-string message.
    pub(super) fn string(&mut self, what: &str) -> PResult<String> {
        let at = self.at();
        if let Tok::Str(s) = self.peek().clone() {
            check_name(what, &s).map_err(|m| self.fail(ErrorKind::Validation, at, m))?;
            self.advance();
            return Ok(s);
        }
        self.expected.push("a string");
        Err(self.unexpected())
    }
}

pub(super) fn is_field_start(name: &str) -> bool {
    matches!(
        name,
        "score" | "stage" | "owner" | "grade" | "attr" | "consent"
    )
}

/// Reads `YYYY-MM-DD` strictly (so it prints back the same).
pub(crate) fn parse_date(text: &str) -> std::result::Result<NaiveDate, String> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    well_formed
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("invalid date {text:?}: write a calendar date as \"YYYY-MM-DD\""))
}
