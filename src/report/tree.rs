//! `gwlint parse --format json`: the syntax tree with exact positions.
//!
//! Written as it is walked (no JSON tree in memory: that took 130 times the input), compact
//! (indentation grows with nesting, and pretty output of a deep file is many times its size).
//! Keys come in the order they always had.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::load::include::Tree;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::nginx::{Arg, Directive, File, Quote};

pub(crate) fn render(
    tree: &Tree,
    files: &std::collections::HashMap<FileId, File>,
    sources: &SourceMap,
) -> String {
    let doc = Doc {
        tree,
        files,
        sources,
    };
    let mut s = serde_json::to_string(&doc).unwrap_or_default();
    s.push('\n');
    s
}

struct Doc<'a> {
    tree: &'a Tree,
    files: &'a std::collections::HashMap<FileId, File>,
    sources: &'a SourceMap,
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("files", &Files(self))?;
        m.end()
    }
}

struct Files<'a, 'b>(&'b Doc<'a>);

impl Serialize for Files<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut seq = s.serialize_seq(Some(d.tree.files.len()))?;
        for f in &d.tree.files {
            seq.serialize_element(&FileOut { doc: d, file: *f })?;
        }
        seq.end()
    }
}

struct FileOut<'a, 'b> {
    doc: &'b Doc<'a>,
    file: FileId,
}

impl Serialize for FileOut<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.doc;
        let parsed = d.files.get(&self.file);
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("file", &d.sources.get(self.file).name)?;
        m.serialize_entry(
            "errors",
            &Errors {
                doc: d,
                file: parsed,
            },
        )?;
        let dirs = parsed.map_or(&[][..], |p| &p.directives[..]);
        m.serialize_entry("directives", &Dirs { doc: d, dirs })?;
        m.end()
    }
}

struct Errors<'a, 'b> {
    doc: &'b Doc<'a>,
    file: Option<&'a File>,
}

impl Serialize for Errors<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let errors = self.file.map_or(&[][..], |f| &f.errors[..]);
        let mut seq = s.serialize_seq(Some(errors.len()))?;
        for e in errors {
            seq.serialize_element(&Placed {
                sources: self.doc.sources,
                span: e.span,
                extra: Extra::Error(&e.message, e.help.as_deref()),
            })?;
        }
        seq.end()
    }
}

struct Dirs<'a, 'b> {
    doc: &'b Doc<'a>,
    dirs: &'a [Directive],
}

impl Serialize for Dirs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.dirs.len()))?;
        for d in self.dirs {
            seq.serialize_element(&Placed {
                sources: self.doc.sources,
                span: d.span,
                extra: Extra::Directive(self.doc, d),
            })?;
        }
        seq.end()
    }
}

/// What a placed object holds besides its position.
enum Extra<'a, 'b> {
    Error(&'a str, Option<&'a str>),
    Arg(&'a Arg),
    Directive(&'b Doc<'a>, &'a Directive),
}

/// An object with `line`, `column`, `end_line` and `end_column`, then what it holds.
struct Placed<'a, 'b> {
    sources: &'a SourceMap,
    span: Span,
    extra: Extra<'a, 'b>,
}

impl Serialize for Placed<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = super::position(self.sources, self.span);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("line", &p.line)?;
        m.serialize_entry("column", &p.column)?;
        m.serialize_entry("end_line", &p.end_line)?;
        m.serialize_entry("end_column", &p.end_column)?;
        match &self.extra {
            Extra::Error(message, help) => {
                m.serialize_entry("message", message)?;
                m.serialize_entry("help", help)?;
            }
            Extra::Arg(a) => {
                m.serialize_entry("value", a.value.as_str())?;
                let quote = match a.quote() {
                    Quote::None => "none",
                    Quote::Double => "double",
                    Quote::Single => "single",
                    Quote::Lua => "lua",
                };
                m.serialize_entry("quote", quote)?;
            }
            Extra::Directive(doc, d) => {
                m.serialize_entry("name", d.name())?;
                m.serialize_entry("args", &Args(self.sources, &d.args))?;
                if d.name() == "include" {
                    let names: Vec<&str> = doc
                        .tree
                        .matched(d)
                        .iter()
                        .map(|f| self.sources.get(*f).name.as_str())
                        .collect();
                    m.serialize_entry("includes", &names)?;
                }
                // HAProxy: the `.if` branch the line is in (nginx has none).
                if let Some(c) = d.condition() {
                    m.serialize_entry("condition", c)?;
                }
                if let Some(children) = d.block() {
                    m.serialize_entry(
                        "block",
                        &Dirs {
                            doc,
                            dirs: children,
                        },
                    )?;
                }
            }
        }
        m.end()
    }
}

struct Args<'a>(&'a SourceMap, &'a [Arg]);

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for a in self.1 {
            seq.serialize_element(&Placed {
                sources: self.0,
                span: a.span,
                extra: Extra::Arg(a),
            })?;
        }
        seq.end()
    }
}
