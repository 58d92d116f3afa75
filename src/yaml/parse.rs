//! YAML text → located [`Node`] trees, with the guards a tool that reads
//! hand-written and CI-supplied files needs: duplicate keys are errors,
//! aliases cannot blow up, and sizes are bounded.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::node::{Loc, Node, NodeValue, Source};
use crate::error::Diagnostic;

/// Bounds on what one file may expand to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most nodes one file may expand to, counting alias expansions.
    pub max_nodes: usize,
    /// Deepest nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_nodes: 1_000_000,
            max_depth: 128,
        }
    }
}

/// Parses a file that must hold exactly one document (an empty file is `null`).
pub(crate) fn parse_one(source: Arc<Source>, limits: Limits) -> Result<Node, Diagnostic> {
    let mut docs = parse_documents(source.clone(), limits)?;
    match docs.len() {
        0 => Ok(Node {
            value: NodeValue::Null,
            loc: Loc {
                source,
                line: 1,
                col: 1,
            },
        }),
        1 => Ok(docs.remove(0)),
        _ => Err(
            Diagnostic::new("this file holds more than one YAML document")
                .at(Some(docs[1].loc.clone()))
                .help("a config file holds one document: remove the `---` separator"),
        ),
    }
}

/// Parses every document of a YAML stream.
pub(crate) fn parse_documents(
    source: Arc<Source>,
    limits: Limits,
) -> Result<Vec<Node>, Diagnostic> {
    if source.text.len() > limits.max_bytes {
        return Err(Diagnostic::new(format!(
            "file is {} bytes; the limit is {} bytes",
            source.text.len(),
            limits.max_bytes
        ))
        .at(Some(Loc {
            source: source.clone(),
            line: 1,
            col: 1,
        }))
        .help("a platform config is a few kilobytes; check that this is the right file"));
    }
    let text = source.text.clone();
    let mut builder = Builder {
        source,
        limits,
        anchors: HashMap::new(),
        nodes: 0,
        open: Vec::new(),
        ascii: text.is_ascii(),
        cursor: (0, 0),
    };
    let mut parser = Parser::new_from_str(&text);
    let mut docs = Vec::new();
    loop {
        let (event, span) = builder.next(&mut parser)?;
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                builder.anchors.clear();
                let (ev, sp) = builder.next(&mut parser)?;
                if matches!(ev, Event::DocumentEnd) {
                    // `---` followed by nothing: an empty document.
                    continue;
                }
                docs.push(builder.node(&mut parser, ev, sp, 0)?);
            }
            _ => return Err(builder.err(span, "unexpected YAML event at top level")),
        }
    }
    Ok(docs)
}

struct Builder {
    source: Arc<Source>,
    limits: Limits,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    /// The flow collections (`[`, `{`) being read: where each opened.
    open: Vec<(Loc, char)>,
    /// Whether the text is ASCII (a character index is then a byte index).
    ascii: bool,
    /// A character index of the text and its byte index: events come in
    /// text order, so finding the next one starts from the last.
    cursor: (usize, usize),
}

impl Builder {
    fn loc(&self, span: Span) -> Loc {
        Loc {
            source: self.source.clone(),
            line: span.start.line().max(1),
            col: span.start.col() + 1,
        }
    }

    fn err(&self, span: Span, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::new(msg).at(Some(self.loc(span)))
    }

    /// Notes a flow collection opened at `loc` (its text starts with
    /// `bracket`); whether it is one.
    fn flow_open(&mut self, span: Span, loc: &Loc, bracket: char) -> bool {
        let at = self.char_at(span.start.index());
        let flow = at == Some(bracket);
        if flow {
            self.open.push((loc.clone(), bracket));
        }
        flow
    }

    /// The character at character index `index` of the text.
    fn char_at(&mut self, index: usize) -> Option<char> {
        let text = &self.source.text;
        if self.ascii {
            return text.as_bytes().get(index).map(|b| *b as char);
        }
        let (mut at, mut byte) = self.cursor;
        if index < at {
            (at, byte) = (0, 0);
        }
        let mut rest = text[byte..].chars();
        while at < index {
            byte += rest.next()?.len_utf8();
            at += 1;
        }
        self.cursor = (at, byte);
        rest.next()
    }

    /// A tag gen does not read (`!secret`, `!!binary`): an error, never
    /// silently dropped.
    fn unknown_tag(&self, span: Span, tag: &str) -> Diagnostic {
        let shown = tag
            .strip_prefix("tag:yaml.org,2002:")
            .map_or(tag.to_string(), |t| format!("!!{t}"));
        self.err(span, format!("gen does not read the YAML tag `{shown}`"))
            .help("remove the tag; quote a value to make it a string (`!!str` is the only tag gen reads on a value)")
    }

    fn next<'a>(
        &self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    ) -> Result<(Event<'a>, Span), Diagnostic> {
        match parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            None => Ok((Event::StreamEnd, Span::default())),
            Some(Err(e)) => {
                let m = e.marker();
                let info = e.info().to_string();
                let help = if info.contains("tab") {
                    Some("YAML indentation uses spaces only: replace the tab with spaces")
                } else {
                    None
                };
                let mut loc = Loc {
                    source: self.source.clone(),
                    line: m.line().max(1),
                    col: m.col() + 1,
                };
                let mut help = help.map(String::from);
                let nothing_there = loc.line_text().is_none_or(|t| t.trim().is_empty());
                if let Some((opened, c)) = self
                    .open
                    .last()
                    .filter(|_| info.contains("flow") || nothing_there)
                {
                    let close = if *c == '[' { ']' } else { '}' };
                    help = Some(format!(
                        "the `{c}` at line {}, column {} is not closed: end it with `{close}` on the same value, or separate its items with `,`",
                        opened.line, opened.col
                    ));
                    // Past the end of the file (or on a blank line) there is
                    // nothing to show: point at the opening bracket.
                    if nothing_there {
                        loc = opened.clone();
                    }
                }
                let mut d = Diagnostic::new(format!("YAML syntax error: {info}")).at(Some(loc));
                if let Some(h) = help {
                    d = d.help(h);
                }
                Err(d)
            }
        }
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(self
                .err(
                    span,
                    format!(
                        "this file expands to more than {} values (aliases included)",
                        self.limits.max_nodes
                    ),
                )
                .help("an alias that repeats an alias many times multiplies the document; write the values out"));
        }
        Ok(())
    }

    fn node<'a>(
        &mut self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
        event: Event<'a>,
        span: Span,
        depth: usize,
    ) -> Result<Node, Diagnostic> {
        if depth > self.limits.max_depth {
            return Err(self.err(
                span,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        let loc = self.loc(span);
        match event {
            Event::Alias(id) => {
                let (node, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| self.err(span, "alias to an unknown anchor"))?;
                self.count(size, span)?;
                Ok(node)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, span)?;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                if let Some(t) = &tag {
                    if !(t.ends_with(":str") || t == "!!str") {
                        return Err(self.unknown_tag(span, t));
                    }
                }
                let value = scalar(&text, style, tag.as_deref());
                let node = Node { value, loc };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                Ok(node)
            }
            Event::SequenceStart(anchor, tag) => {
                if let Some(t) = tag {
                    let t = format!("{}{}", t.handle, t.suffix);
                    if !(t.ends_with(":seq") || t == "!!seq") {
                        return Err(self.unknown_tag(span, &t));
                    }
                }
                let start = self.nodes;
                self.count(1, span)?;
                let flow = self.flow_open(span, &loc, '[');
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.next(parser)?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(parser, ev, sp, depth + 1)?);
                }
                if flow {
                    self.open.pop();
                }
                let node = Node {
                    value: NodeValue::Seq(Arc::new(items)),
                    loc,
                };
                if anchor > 0 {
                    self.anchors
                        .insert(anchor, (node.clone(), self.nodes - start));
                }
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                if let Some(t) = tag {
                    let t = format!("{}{}", t.handle, t.suffix);
                    if !(t.ends_with(":map") || t == "!!map") {
                        return Err(self.unknown_tag(span, &t));
                    }
                }
                let start = self.nodes;
                self.count(1, span)?;
                let flow = self.flow_open(span, &loc, '{');
                let mut map: IndexMap<String, (Loc, Node)> = IndexMap::new();
                loop {
                    let (ev, sp) = self.next(parser)?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key_loc = self.loc(sp);
                    let key = match self.node(parser, ev, sp, depth + 1)?.value {
                        NodeValue::Str(s) => s,
                        NodeValue::Int(i) => i.to_string(),
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Float(_, s) => s,
                        NodeValue::Null => "null".into(),
                        _ => {
                            return Err(self
                                .err(sp, "a mapping key must be a plain value, not a list or map"))
                        }
                    };
                    let (ev, vsp) = self.next(parser)?;
                    let value = self.node(parser, ev, vsp, depth + 1)?;
                    if let Some((first, _)) = map.get(&key) {
                        return Err(Diagnostic::new(format!("duplicate key `{key}`"))
                            .at(Some(key_loc))
                            .help(format!(
                                "`{key}` is already set at line {}: keep one of the two",
                                first.line
                            )));
                    }
                    map.insert(key, (key_loc, value));
                }
                if flow {
                    self.open.pop();
                }
                let node = Node {
                    value: NodeValue::Map(Arc::new(map)),
                    loc,
                };
                if anchor > 0 {
                    self.anchors
                        .insert(anchor, (node.clone(), self.nodes - start));
                }
                Ok(node)
            }
            _ => Err(self.err(span, "unexpected YAML event")),
        }
    }
}

/// Resolves a scalar by the YAML 1.2 core schema; quoted scalars and
/// `!!str` are always strings.
pub(super) fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> NodeValue {
    if let Some(tag) = tag {
        if tag.ends_with(":str") || tag == "!!str" {
            return NodeValue::Str(text.to_string());
        }
    }
    if style != ScalarStyle::Plain {
        return NodeValue::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return NodeValue::Int(i);
    }
    if looks_like_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return NodeValue::Float(f, text.to_string());
        }
    }
    NodeValue::Str(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let v = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn looks_like_float(text: &str) -> bool {
    let t = text.trim_start_matches(['-', '+']);
    matches!(t, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN")
        || (t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            && t.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b == b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Arc<Source> {
        Arc::new(Source {
            name: "t.yaml".into(),
            text: text.into(),
        })
    }

    #[test]
    fn locations_are_one_based() {
        let n = parse_one(src("a:\n  b: 3\n"), Limits::default()).unwrap();
        let NodeValue::Map(a) = &n.value else {
            panic!("a map")
        };
        let (key, inner) = &a["a"];
        assert_eq!((key.line, key.col), (1, 1));
        let NodeValue::Map(b) = &inner.value else {
            panic!("a map")
        };
        let (key, value) = &b["b"];
        assert_eq!(
            (key.line, key.col, value.loc.line, value.loc.col),
            (2, 3, 2, 6)
        );
    }

    #[test]
    fn core_schema_scalars() {
        let n = parse_one(
            src("[on, yes, 'true', true, 1, 1.5, 0x10, ~, 20Gi]"),
            Limits::default(),
        )
        .unwrap();
        let NodeValue::Seq(items) = &n.value else {
            panic!()
        };
        let kinds: Vec<_> = items.iter().map(|i| format!("{:?}", i.value)).collect();
        assert_eq!(kinds[0], "Str(\"on\")");
        assert_eq!(kinds[1], "Str(\"yes\")");
        assert_eq!(kinds[2], "Str(\"true\")");
        assert_eq!(kinds[3], "Bool(true)");
        assert_eq!(kinds[4], "Int(1)");
        assert!(kinds[5].starts_with("Float(1.5"));
        assert_eq!(kinds[6], "Int(16)");
        assert_eq!(kinds[7], "Null");
        assert_eq!(kinds[8], "Str(\"20Gi\")");
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let e = parse_one(src("a: 1\nb: 2\na: 3\n"), Limits::default()).unwrap_err();
        assert!(e.message.contains("duplicate key `a`"));
        assert_eq!(e.loc.unwrap().line, 3);
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = parse_one(src(&text), Limits::default()).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{}", e.message);
    }

    #[test]
    fn an_unclosed_flow_collection_is_shown_where_it_opens() {
        // At the end of the file there is no line to show: the error points
        // at the bracket, and says so.
        let e = parse_one(src("a:\n  b: [1, 2\n"), Limits::default()).unwrap_err();
        let loc = e.loc.as_ref().unwrap();
        assert_eq!((loc.line, loc.col), (2, 6), "{e}");
        assert!(
            e.help
                .as_deref()
                .unwrap()
                .contains("`[` at line 2, column 6 is not closed"),
            "{e}"
        );
        // Where the error has a line, it stays there; the help names the
        // brace left open.
        let e = parse_one(src("a: {b: 1\nc: 2\n"), Limits::default()).unwrap_err();
        assert!(
            e.help
                .as_deref()
                .unwrap()
                .contains("`{` at line 1, column 4"),
            "{e}"
        );
        // A block collection is no bracket.
        let e = parse_one(src("a:\n  - 1\n - 2\n"), Limits::default()).unwrap_err();
        assert!(e.help.is_none_or(|h| !h.contains("not closed")));
        // Text that is not ASCII: characters, not bytes, are counted, and
        // flow collections closed before are no trouble.
        let e = parse_one(
            src("é: [ü, {ß: 1}]\n# ☃ — comment\nb: [1, 2\n"),
            Limits::default(),
        )
        .unwrap_err();
        assert!(
            e.help
                .as_deref()
                .unwrap()
                .contains("`[` at line 3, column 4 is not closed"),
            "{e}"
        );
        let n = parse_one(src("é: [ü, {ß: [1]}]\n☃: {a: [x]}\n"), Limits::default()).unwrap();
        assert_eq!(
            n.to_json(),
            serde_json::json!({"é": ["ü", {"ß": [1]}], "☃": {"a": ["x"]}})
        );
    }

    #[test]
    fn syntax_error_has_location() {
        let e = parse_one(src("a: [1, 2\nb: 3\n"), Limits::default()).unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"));
        assert!(e.loc.is_some());
    }
}
