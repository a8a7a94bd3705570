//! Splits condition text into tokens, each with its byte offset for error messages.
//!
//! Lexing stops at the first bad character with an [`Tok::Error`] token, so the parser reports
//! errors in text order: a grammar mistake before a bad character is the one shown.

use super::ast::is_identifier;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    /// A name: keyword, field, function or attribute name (Unicode letters, digits, `_`).
    Ident(&'a str),
    /// A string literal, escapes resolved.
    Str(String),
    /// A number literal as written: `-?digits(.digits)?`.
    Num(&'a str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
    /// A lexical error, with its message.
    Error(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub(crate) tok: Tok<'a>,
    /// Byte offset of the token, or of the bad character for an error.
    pub(crate) start: usize,
}

/// Every token of `text`, ending with [`Tok::End`] or [`Tok::Error`].
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer { text, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next();
        let last = matches!(token.tok, Tok::End | Tok::Error(_));
        tokens.push(token);
        if last {
            return tokens;
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Token<'a> {
        let skipped = self.rest().len() - self.rest().trim_start().len();
        self.pos += skipped;
        let mut start = self.pos;
        let tok = self.scan();
        if matches!(tok, Tok::Error(_)) {
            // Errors point at the offending character, not at the token it interrupted.
            start = self.pos;
        }
        Token { tok, start }
    }

    fn scan(&mut self) -> Tok<'a> {
        let Some(c) = self.peek() else {
            return Tok::End;
        };
        let two = self.rest().get(..2).unwrap_or("");
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '.' => (Tok::Dot, 1),
            '=' => (Tok::Eq, 1),
            '!' if two == "!=" => (Tok::Ne, 2),
            '<' if two == "<=" => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if two == ">=" => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '"' => return self.string(),
            '-' | '0'..='9' => return self.number(),
            c if c.is_alphabetic() || c == '_' => return self.ident(),
            _ => return Tok::Error(unexpected(c, two)),
        };
        self.pos += len;
        tok
    }

    fn ident(&mut self) -> Tok<'a> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        let name = &rest[..len];
        debug_assert!(is_identifier(name));
        Tok::Ident(name)
    }

    fn number(&mut self) -> Tok<'a> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let mut len = usize::from(bytes.first() == Some(&b'-'));
        let int_start = len;
        while bytes.get(len).is_some_and(u8::is_ascii_digit) {
            len += 1;
        }
        if len == int_start {
            return Tok::Error("`-` must be followed by digits, as in -5".into());
        }
        if bytes.get(len) == Some(&b'.') {
            let frac_start = len + 1;
            let mut end = frac_start;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end == frac_start {
                self.pos += len;
                return Tok::Error("a decimal point must be followed by digits, as in 0.5".into());
            }
            len = end;
        }
        self.pos += len;
        Tok::Num(&rest[..len])
    }

    fn string(&mut self) -> Tok<'a> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.pos = open;
                return Tok::Error("unterminated string: add the closing `\"`".into());
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Tok::Str(out);
                }
                '\\' => match self.escape() {
                    Ok(c) => out.push(c),
                    Err(message) => return Tok::Error(message),
                },
                '\n' | '\r' => {
                    self.pos = open;
                    return Tok::Error(
                        "unterminated string: add the closing `\"` (write a line break as \\n)"
                            .into(),
                    );
                }
                c if c.is_control() => {
                    return Tok::Error(format!(
                        "control character U+{:04X} in a string; write it as \\u{:04x}",
                        c as u32, c as u32
                    ));
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Reads one escape at `self.pos` (the backslash); on error `self.pos` stays on it.
    fn escape(&mut self) -> Result<char, String> {
        let rest = self.rest();
        let c = match rest.as_bytes().get(1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'u') => return self.unicode_escape(),
            _ => {
                return Err(
                    "invalid escape; use \\\", \\\\, \\/, \\n, \\r, \\t, \\b, \\f or \\uXXXX"
                        .into(),
                );
            }
        };
        self.pos += 2;
        Ok(c)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let rest = self.rest();
        let unit = |at: usize| {
            rest.get(at..at + 4)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let bad = || "invalid escape: \\u takes four hex digits, as in \\u00e9".to_owned();
        let high = unit(2).ok_or_else(bad)?;
        let (code, len) = if (0xD800..0xDC00).contains(&high) {
            let low = rest
                .get(6..8)
                .filter(|s| *s == "\\u")
                .and_then(|_| unit(8))
                .filter(|low| (0xDC00..0xE000).contains(low))
                .ok_or("invalid escape: a high surrogate must be followed by a low one")?;
            (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), 12)
        } else {
            (high, 6)
        };
        let c =
            char::from_u32(code).ok_or("invalid escape: a lone surrogate is not a character")?;
        self.pos += len;
        Ok(c)
    }
}

fn unexpected(c: char, two: &str) -> String {
    let hint = match two {
        "&&" => "; write `and`",
        "||" => "; write `or`",
        _ if c == '!' => "; write `not`, or `!=` for not equal",
        _ if c == '\'' => "; strings use double quotes",
        _ if c == '“' || c == '”' => "; strings use straight double quotes `\"`",
        _ => "",
    };
    format!("unexpected character `{c}`{hint}")
}
