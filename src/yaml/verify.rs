//! A fast read-back check: does a YAML text hold exactly these documents?
//!
//! It reads the block-style subset the emitter writes — mappings,
//! sequences, plain scalars that [`plain_ok`] allows or that are plain
//! integers, decimals, `true`, `false` and `null`, single-line quoted
//! strings, `|` / `|-` literal blocks, empty `{}` / `[]`, comments and `---`
//! — and compares it with the expected values as it goes, without building
//! a tree. Anything outside that subset (anchors, tags, flow collections,
//! folded or multi-line scalars, tabs, duplicate keys, ambiguous plain
//! scalars) is not decided here: it answers "not shown" and the caller
//! runs the full parser, which also words the error. So a `true` from
//! [`holds`] always agrees with a complete YAML 1.1 and 1.2 reader.

use std::borrow::Cow;

use serde_json::Value;

use super::scalar::plain_ok;

/// Why the fast check gave up: the text is outside its subset or differs.
struct NotShown;

type R<T = ()> = Result<T, NotShown>;

/// True when `text` is shown to hold exactly `expect`, one value per
/// document; false when it differs or uses YAML this check leaves to the
/// full parser.
pub fn holds(text: &str, expect: &[Value]) -> bool {
    if !text.ends_with('\n') || text.contains('\r') {
        return false;
    }
    let mut lines = Vec::with_capacity(text.len() / 24);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    Reader { lines, pos: 0 }.documents(expect).is_ok()
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    pos: usize,
}

/// Leading spaces of a line; a tab in the indentation is left to the full
/// parser.
fn indent_of(line: &str) -> R<usize> {
    let n = line.bytes().take_while(|&c| c == b' ').count();
    if line.as_bytes().get(n) == Some(&b'\t') {
        return Err(NotShown);
    }
    Ok(n)
}

fn is_marker(line: &str) -> bool {
    line.starts_with("---") || line.starts_with("...")
}

/// A sequence entry starts at the beginning of `rest`.
fn is_dash(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// The end of a line after a scalar: nothing, spaces, or a comment.
fn rest_is_blank(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

fn check(ok: bool) -> R {
    if ok {
        Ok(())
    } else {
        Err(NotShown)
    }
}

impl<'a> Reader<'a> {
    fn line(&self) -> Option<&'a str> {
        self.lines.get(self.pos).copied()
    }

    /// Moves past blank and comment-only lines: the next line and its
    /// indent, if any.
    fn skip_blank(&mut self) -> R<Option<(&'a str, usize)>> {
        while let Some(line) = self.line() {
            let t = line.trim_start_matches(' ');
            if t.starts_with('\t') || t.starts_with('\r') {
                return Err(NotShown);
            }
            if !(t.is_empty() || t.starts_with('#')) {
                return Ok(Some((line, line.len() - t.len())));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    fn documents(&mut self, expect: &[Value]) -> R {
        let mut done = 0;
        let mut opened = false;
        loop {
            self.skip_blank()?;
            let Some(line) = self.line() else {
                check(!opened)?;
                break;
            };
            if line == "---" {
                check(!opened)?;
                opened = true;
                self.pos += 1;
                continue;
            }
            if is_marker(line) || line.starts_with('%') || indent_of(line)? != 0 {
                return Err(NotShown);
            }
            let want = expect.get(done).ok_or(NotShown)?;
            self.node(0, None, want)?;
            done += 1;
            opened = false;
            self.skip_blank()?;
            check(self.line().is_none_or(|l| l == "---"))?;
        }
        check(done == expect.len())
    }

    /// A node starting at column `col` of the current line. `parent` is the
    /// indent of the entry that holds it (None at the document root).
    fn node(&mut self, col: usize, parent: Option<usize>, want: &Value) -> R {
        let line = self.line().ok_or(NotShown)?;
        let rest = line.get(col..).ok_or(NotShown)?;
        if is_dash(rest) {
            return self.seq(col, want);
        }
        if key_of(rest)?.is_some() {
            return self.map(col, want);
        }
        // A literal block at the root is read only when indented.
        self.scalar(col, parent.unwrap_or(0), want)
    }

    /// A scalar (or `{}` / `[]`, or a literal block) at `col` of the
    /// current line, in an entry indented `parent`.
    fn scalar(&mut self, col: usize, parent: usize, want: &Value) -> R {
        let rest = &self.line().ok_or(NotShown)?[col..];
        match rest.as_bytes().first() {
            Some(b'"') | Some(b'\'') => {
                let (s, after) = quoted(rest)?;
                check(rest_is_blank(after) && want.as_str() == Some(&s))?;
            }
            Some(b'|') => return self.literal(rest, parent, want),
            Some(b'{') | Some(b'[') => {
                let empty = match want {
                    Value::Object(m) if rest.starts_with("{}") => m.is_empty(),
                    Value::Array(a) if rest.starts_with("[]") => a.is_empty(),
                    _ => false,
                };
                check(empty && rest_is_blank(&rest[2..]))?;
            }
            _ => {
                // A plain scalar that matches holds no ` #`, so no comment;
                // only a mismatch needs the comment cut off and a retry.
                let text = rest.trim_end_matches(' ');
                if !plain_matches(text, want) {
                    let text = before_comment(rest).trim_end_matches(' ');
                    check(text.len() < rest.len() && plain_matches(text, want))?;
                }
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// `|` or `|-` at the start of `header`; the block's lines follow and
    /// are indented more than `parent`.
    fn literal(&mut self, header: &str, parent: usize, want: &Value) -> R {
        let keep_newline = match header {
            "|" => true,
            "|-" => false,
            _ => return Err(NotShown),
        };
        let want = want.as_str().ok_or(NotShown)?;
        self.pos += 1;
        let mut text = String::with_capacity(want.len());
        let mut ind = None;
        let mut blank = 0;
        while let Some(line) = self.line() {
            if line.bytes().all(|c| c == b' ') {
                check(ind.map_or(line.is_empty(), |at| line.len() < at))?;
                blank += 1;
                self.pos += 1;
                continue;
            }
            let n = indent_of(line)?;
            let at = *ind.get_or_insert(n);
            if n < at {
                break;
            }
            check(at > parent && !line.chars().any(|c| c.is_control() && c != '\t'))?;
            for _ in 0..blank {
                text.push('\n');
            }
            blank = 0;
            text.push_str(&line[at..]);
            text.push('\n');
            self.pos += 1;
        }
        // Blank lines after the block belong to what follows.
        self.pos -= blank;
        check(!text.is_empty())?;
        if !keep_newline {
            text.pop();
        }
        check(text == want)
    }

    /// A block mapping whose first key is at `col` of the current line and
    /// whose other keys start lines indented `col`.
    fn map(&mut self, col: usize, want: &Value) -> R {
        let want = want.as_object().ok_or(NotShown)?;
        check(want.len() <= 64)?;
        let mut seen = 0u64;
        // Keys come in the expected order unless a template moved them.
        let mut in_order = want.iter().enumerate();
        loop {
            let line = self.line().ok_or(NotShown)?;
            let rest = &line[col..];
            let (key, after) = key_of(rest)?.ok_or(NotShown)?;
            let (i, value) = match in_order.next() {
                Some((i, (k, v))) if *k == key => (i, v),
                _ => want
                    .iter()
                    .enumerate()
                    .find(|(_, (k, _))| **k == key)
                    .map(|(i, (_, v))| (i, v))
                    .ok_or(NotShown)?,
            };
            check(seen & (1 << i) == 0)?;
            seen |= 1 << i;
            if rest_is_blank(after) {
                self.pos += 1;
                self.nested(col, value)?;
            } else {
                let inline = after.len() - after.trim_start_matches(' ').len();
                check(inline > 0)?;
                let at = line.len() - after.len() + inline;
                // A nested `key: value` here fails as a plain scalar.
                check(!is_dash(&line[at..]))?;
                self.scalar(at, col, value)?;
            }
            let Some((next, n)) = self.skip_blank()? else {
                break;
            };
            if n > col {
                return Err(NotShown);
            }
            if n < col || is_marker(next) || is_dash(&next[n..]) {
                check(n < col || (col == 0 && next == "---"))?;
                break;
            }
        }
        check(seen.count_ones() as usize == want.len())
    }

    /// The value of `key:` with nothing after it on the line: a node on
    /// the following lines indented more than `col`, a sequence at `col`,
    /// or null.
    fn nested(&mut self, col: usize, want: &Value) -> R {
        if let Some((line, n)) = self.skip_blank()? {
            if n > col {
                return self.node(n, Some(col), want);
            }
            if n == col && !is_marker(line) && is_dash(&line[n..]) {
                return self.seq(col, want);
            }
        }
        check(want.is_null())
    }

    /// A block sequence whose dashes are at `col`.
    fn seq(&mut self, col: usize, want: &Value) -> R {
        let want = want.as_array().ok_or(NotShown)?;
        let mut done = 0;
        loop {
            let line = self.line().ok_or(NotShown)?;
            let item = want.get(done).ok_or(NotShown)?;
            let after = &line[col + 1..];
            if rest_is_blank(after) {
                self.pos += 1;
                match self.skip_blank()? {
                    Some((_, n)) if n > col => self.node(n, Some(col), item)?,
                    _ => check(item.is_null())?,
                }
            } else {
                let at = col + 1 + after.len() - after.trim_start_matches(' ').len();
                self.node(at, Some(col), item)?;
            }
            done += 1;
            let Some((next, n)) = self.skip_blank()? else {
                break;
            };
            if n > col {
                return Err(NotShown);
            }
            if n < col || is_marker(next) || !is_dash(&next[n..]) {
                break;
            }
        }
        check(done == want.len())
    }
}

/// `s` up to a ` #` comment.
fn before_comment(s: &str) -> &str {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'#') {
        let at = from + i;
        if at > 0 && b[at - 1] == b' ' {
            return &s[..at];
        }
        from = at + 1;
    }
    s
}

/// `key:` at the start of `rest`: the key and what follows the colon, or
/// None when `rest` is not a mapping entry.
fn key_of(rest: &str) -> R<Option<(Cow<'_, str>, &str)>> {
    if rest.starts_with(['"', '\'']) {
        let (key, after) = quoted(rest)?;
        return match after.strip_prefix(':') {
            Some(a) if a.is_empty() || a.starts_with(' ') => Ok(Some((key, a))),
            _ => Ok(None),
        };
    }
    // The first `: ` (or a final `:`) before any ` #` comment.
    let b = rest.as_bytes();
    let mut colon = None;
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && i > 0 && b[i - 1] == b' ' {
            end = i;
            break;
        }
        if c == b':' && b.get(i + 1).is_none_or(|&n| n == b' ') {
            colon = Some(i);
            break;
        }
    }
    let colon = match colon {
        Some(i) => i,
        None if rest[..end].trim_end_matches(' ').ends_with(':') => {
            rest[..end].trim_end_matches(' ').len() - 1
        }
        None => return Ok(None),
    };
    let key = &rest[..colon];
    check(plain_ok(key))?;
    Ok(Some((Cow::Borrowed(key), &rest[colon + 1..])))
}

/// A single-line quoted scalar at the start of `s`, and what follows it.
fn quoted(s: &str) -> R<(Cow<'_, str>, &str)> {
    let q = char::from(s.as_bytes()[0]);
    let body = &s[1..];
    // Borrowed until the first escape; owned from then on.
    let mut owned: Option<String> = None;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == q {
            if q == '\'' && body[i + 1..].starts_with('\'') {
                chars.next();
                owned
                    .get_or_insert_with(|| body[..i].to_string())
                    .push('\'');
                continue;
            }
            let value = owned.map_or(Cow::Borrowed(&body[..i]), Cow::Owned);
            return Ok((value, &body[i + 1..]));
        }
        if c == '\\' && q == '"' {
            let out = owned.get_or_insert_with(|| body[..i].to_string());
            let (_, e) = chars.next().ok_or(NotShown)?;
            out.push(match e {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => {
                    let hex = body.get(i + 2..i + 6).ok_or(NotShown)?;
                    check(hex.bytes().all(|b| b.is_ascii_hexdigit()))?;
                    for _ in 0..4 {
                        chars.next();
                    }
                    let code = u32::from_str_radix(hex, 16).map_err(|_| NotShown)?;
                    char::from_u32(code).ok_or(NotShown)?
                }
                _ => return Err(NotShown),
            });
            continue;
        }
        if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') {
            return Err(NotShown);
        }
        if let Some(out) = &mut owned {
            out.push(c);
        }
    }
    Err(NotShown)
}

/// A plain scalar's text read back as `want`: a string only when
/// [`plain_ok`] vouches for it, otherwise an unambiguous integer, decimal,
/// boolean or null.
fn plain_matches(text: &str, want: &Value) -> bool {
    if plain_ok(text) {
        return want.as_str() == Some(text);
    }
    match want {
        Value::Null => text == "null",
        Value::Bool(b) => text == if *b { "true" } else { "false" },
        Value::Number(n) => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            let int = !digits.is_empty()
                && digits.bytes().all(|c| c.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            if int {
                return (n.is_i64() || n.is_u64()) && text.parse::<i128>().ok() == number(n);
            }
            // `1.5`, or `1.5e+20` / `1.5e-7`: floats in YAML 1.1 and 1.2.
            let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
            let (fixed, exponent) = match digits.split_once(['e', 'E']) {
                Some((f, e)) => (f, Some(e)),
                None => (digits, None),
            };
            let decimal = fixed
                .split_once('.')
                .is_some_and(|(a, b)| all_digits(a) && all_digits(b))
                && exponent.is_none_or(|e| e.strip_prefix(['+', '-']).is_some_and(all_digits));
            decimal && n.is_f64() && text.parse::<f64>().ok() == n.as_f64()
        }
        _ => false,
    }
}

fn number(n: &serde_json::Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}
