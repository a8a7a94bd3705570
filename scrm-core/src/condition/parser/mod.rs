//! The text form: a hand-written parser with precise, located error messages. This file holds the
//! token plumbing and the boolean structure; `terms.rs` reads fields, comparisons and values, and
//! `functions.rs` the functions.
//!
//! The boolean structure is parsed without recursion (open parentheses live on a heap stack), and
//! every `(` and `not` counts one level of nesting: more than [`MAX_DEPTH`] levels is an error, so
//! hostile input can neither overflow the stack nor build a tree too deep to evaluate.

mod functions;
mod terms;

use super::ast::Node;
use super::excerpt::locate;
use super::lexer::{Tok, Token, tokenize};
use super::{MAX_DEPTH, MAX_TEXT_BYTES};
use crate::error::{Error, ErrorKind, Result};

use functions::function_names;
pub(crate) use terms::parse_date;
use terms::{FIELDS, is_field_start};

/// Parses the text form; problems are reported at `path`.
pub(crate) fn parse(text: &str, path: &str) -> Result<Node> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Error::at(
            ErrorKind::Parse,
            path,
            format!(
                "the condition is {} bytes long; the limit is {MAX_TEXT_BYTES}",
                text.len()
            ),
        ));
    }
    let mut parser = Parser {
        tokens: tokenize(text),
        pos: 0,
        expected: Vec::new(),
        nesting: 0,
    };
    parser
        .condition()
        .map_err(|f| Error::at(f.kind, path, locate(text, f.at, &f.message)))
}

/// A parse failure: what kind, where (byte offset) and why.
struct Failure {
    kind: ErrorKind,
    at: usize,
    message: String,
}

type PResult<T> = std::result::Result<T, Failure>;

/// One open level of parentheses (or the whole text) while parsing.
struct Level {
    /// Where the level starts, for depth errors.
    at: usize,
    /// Finished `and` chains, to be joined by `or`.
    ors: Vec<Node>,
    /// Operands of the current `and` chain.
    ands: Vec<Node>,
    /// Where the current `and` chain starts.
    and_at: usize,
    /// `not`s before the current operand, by position.
    nots: Vec<usize>,
}

impl Level {
    fn new(at: usize) -> Level {
        Level {
            at,
            ors: Vec::new(),
            ands: Vec::new(),
            and_at: at,
            nots: Vec::new(),
        }
    }
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// What would have been accepted at the current token; cleared on every advance.
    expected: Vec<&'static str>,
    /// Open `(` and `not` around the current token.
    nesting: usize,
}

impl<'a> Parser<'a> {
    // ---- token plumbing -------------------------------------------------------------------

    fn token(&self) -> &Token<'a> {
        // The lexer always ends the list with `End` or `Error`, and the parser never advances past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok<'a> {
        &self.token().tok
    }

    fn peek_next(&self) -> &Tok<'a> {
        self.tokens.get(self.pos + 1).map_or(&Tok::End, |t| &t.tok)
    }

    fn at(&self) -> usize {
        self.token().start
    }

    fn advance(&mut self) {
        if !matches!(self.peek(), Tok::End | Tok::Error(_)) {
            self.pos += 1;
        }
        self.expected.clear();
    }

    fn eat(&mut self, tok: &Tok<'_>, shown: &'static str) -> bool {
        if self.peek() == tok {
            self.advance();
            true
        } else {
            self.expected.push(shown);
            false
        }
    }

    fn eat_keyword(&mut self, keyword: &'static str, shown: &'static str) -> bool {
        self.eat(&Tok::Ident(keyword), shown)
    }

    fn expect(&mut self, tok: &Tok<'_>, shown: &'static str) -> PResult<()> {
        if self.eat(tok, shown) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// "expected one of ..., found ..." at the current token.
    fn unexpected(&mut self) -> Failure {
        let mut expected = std::mem::take(&mut self.expected);
        let token = self.token();
        let message = match &token.tok {
            Tok::Error(message) => message.clone(),
            _ => {
                // Tokens first, in their own order (`<` before `<=`), then descriptions.
                expected.sort_unstable_by_key(|e| (!e.starts_with('`'), e.trim_matches('`')));
                expected.dedup();
                let expected = match expected.as_slice() {
                    [] => "something else".to_owned(),
                    [one] => (*one).to_owned(),
                    many => format!("one of {}", many.join(", ")),
                };
                format!("expected {expected}, found {}", found(token))
            }
        };
        Failure {
            kind: ErrorKind::Parse,
            at: token.start,
            message,
        }
    }

    fn fail(&self, kind: ErrorKind, at: usize, message: impl Into<String>) -> Failure {
        // A lexical error before `at` is the real problem: report it instead.
        match &self.token().tok {
            Tok::Error(m) if self.token().start <= at => Failure {
                kind: ErrorKind::Parse,
                at: self.token().start,
                message: m.clone(),
            },
            _ => Failure {
                kind,
                at,
                message: message.into(),
            },
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            let at = self.at();
            return Err(self.fail(
                ErrorKind::Parse,
                at,
                format!(
                    "too deeply nested: `(` and `not` may nest at most {MAX_DEPTH} levels deep"
                ),
            ));
        }
        Ok(())
    }

    fn check_depth(&self, node: Node, at: usize) -> PResult<Node> {
        let depth = node.depth();
        if depth > MAX_DEPTH {
            return Err(self.fail(
                ErrorKind::Parse,
                at,
                format!(
                    "the condition nests {depth} levels deep (`and`, `or`, `not`); the limit is {MAX_DEPTH}"
                ),
            ));
        }
        Ok(node)
    }

    // ---- boolean structure ----------------------------------------------------------------

    fn condition(&mut self) -> PResult<Node> {
        let node = self.group()?;
        if self.eat(&Tok::End, "end of input") {
            Ok(node)
        } else {
            Err(self.unexpected())
        }
    }

    /// `a and b or not (c or d) ...` up to the end: precedence climbing without recursion. Each
    /// open `(` pushes a [`Level`] on a heap stack, so nesting never costs call-stack frames.
    fn group(&mut self) -> PResult<Node> {
        let mut open: Vec<Level> = Vec::new();
        let mut level = Level::new(self.at());
        loop {
            // Prefixes of the next operand: `not`s and `(`s, in any order.
            loop {
                if self.peek() == &Tok::Ident("not") {
                    level.nots.push(self.at());
                    self.enter()?;
                    self.advance();
                } else if self.peek() == &Tok::LParen {
                    self.enter()?;
                    self.advance();
                    let inner = Level::new(self.at());
                    open.push(std::mem::replace(&mut level, inner));
                } else {
                    break;
                }
            }
            let mut node = self.atom()?;
            // Suffixes: finish the operand, then continue with `and` / `or`, or close the level.
            loop {
                while let Some(at) = level.nots.pop() {
                    node = self.check_depth(Node::Not(Box::new(node)), at)?;
                    self.nesting -= 1;
                }
                level.ands.push(node);
                if self.eat_keyword("and", "`and`") {
                    break;
                }
                let ands = std::mem::take(&mut level.ands);
                level
                    .ors
                    .push(self.check_depth(Node::all(ands), level.and_at)?);
                if self.eat_keyword("or", "`or`") {
                    level.and_at = self.at();
                    break;
                }
                let ors = std::mem::take(&mut level.ors);
                node = self.check_depth(Node::any(ors), level.at)?;
                match open.pop() {
                    None => return Ok(node),
                    Some(outer) => {
                        self.expect(&Tok::RParen, "`)`")?;
                        self.nesting -= 1;
                        level = outer;
                    }
                }
            }
        }
    }

    fn atom(&mut self) -> PResult<Node> {
        let at = self.at();
        match *self.peek() {
            Tok::Ident("true") => {
                self.advance();
                Ok(Node::All(Vec::new()))
            }
            Tok::Ident("false") => {
                self.advance();
                Ok(Node::Any(Vec::new()))
            }
            Tok::Ident(name) if self.peek_next() == &Tok::LParen && !is_field_start(name) => {
                self.function(name, at)
            }
            Tok::Ident(name) if is_field_start(name) => {
                let field = self.field()?;
                self.comparison(field)
            }
            Tok::Ident(name) => Err(self.fail(
                ErrorKind::Parse,
                at,
                format!(
                    "unknown name `{name}`: a condition starts with a field ({FIELDS}), a \
                     function ({}), `not`, `(`, `true` or `false`",
                    function_names()
                ),
            )),
            _ => {
                self.expected.push("a condition");
                Err(self.unexpected())
            }
        }
    }
}

/// How an error message shows the token found: `` `]` ``, `` `"高意向"` `` or end of input.
fn found(token: &Token<'_>) -> String {
    match &token.tok {
        Tok::End => "end of input".to_owned(),
        Tok::Str(s) => {
            let cut: String = s.chars().take(30).collect();
            let more = if cut.len() < s.len() { "…" } else { "" };
            format!("`{cut:?}{more}`")
        }
        Tok::Ident(s) | Tok::Num(s) => format!("`{s}`"),
        tok => format!("`{}`", punctuation(tok)),
    }
}

fn punctuation(tok: &Tok<'_>) -> &'static str {
    match tok {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        _ => "?",
    }
}
