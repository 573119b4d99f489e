//! HAProxy: a condition names an ACL that the section has not defined before.

use std::collections::{HashMap, HashSet};

use crate::model::sections::{condition_acls, proxies, section};
use super::Context;
use crate::finding::Finding;
use crate::source::Span;
use crate::suggest::{self, Index};

declare_rule! {
    code: "GW122",
    name: "undefined-acl",
    severity: Error,
    family: DeadTargets,
    dialects: [Haproxy],
    refuses: [Haproxy],
    summary: "an `if`/`unless` condition names an ACL the section does not define before it: HAProxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // The ACLs HAProxy defines for every proxy (`TRUE`, `METH_GET`, `HTTP_2.0` from 2.4), in
    // the configured release (any release when it is unknown).
    let predefined = crate::tables::haproxy::table().keywords("acl", 0, ctx.haproxy_version);
    // Every `acl` line of every section, to explain where a missing name is defined instead.
    let mut elsewhere: HashMap<&str, Vec<(usize, Span)>> = HashMap::new();
    for (id, scope) in proxies(proxy) {
        for d in scope.directives.iter().filter(|d| d.name() == "acl") {
            if let Some(a) = d.args().first() {
                elsewhere
                    .entry(a.value.as_str())
                    .or_default()
                    .push((id, a.span));
            }
        }
    }
    for (id, scope) in proxies(proxy) {
        let (kind, name) = section(proxy, id);
        // HAProxy reads a section top to bottom: an ACL exists from its first `acl` line on.
        // In order for suggestions (indexed when the first is wanted, then kept up to date);
        // and as a set, for sections with thousands of ACLs.
        let mut defined: Vec<&str> = Vec::new();
        let mut index = Index::default();
        let mut known: HashSet<&str> = HashSet::new();
        for d in &scope.directives {
            if d.name() == "acl" {
                defined.extend(d.arg(0));
                known.extend(d.arg(0));
                continue;
            }
            for (acl, span) in condition_acls(d) {
                if predefined.contains(&acl)
                    || known.contains(acl)
                    || crate::model::has_variable(acl)
                {
                    continue;
                }
                let defs = elsewhere.get(acl).map(Vec::as_slice).unwrap_or(&[]);
                let later = defs.iter().find(|(s, _)| *s == id);
                let other = defs.iter().find(|(s, _)| *s != id);
                let mut near = || {
                    index.extend(defined[index.len()..].iter().copied());
                    let own = index.closest(acl);
                    suggest::better(acl, own, suggest::closest(acl, &predefined))
                };
                let help = if later.is_some() {
                    format!(
                        "move `acl {acl} …` above this line: HAProxy knows an ACL only from its definition on"
                    )
                } else if let Some((s, _)) = other {
                    let (k, n) = section(proxy, *s);
                    format!(
                        "ACLs belong to the section that defines them; `{acl}` is defined in {k} '{n}': define it in this {kind} too, before this line"
                    )
                } else if let Some(c) = near() {
                    format!("did you mean `{c}`? Otherwise define `acl {acl} …` above this line")
                } else {
                    format!(
                        "define `acl {acl} <criterion> <values>` in this {kind} above this line, or use an anonymous ACL: `{{ <criterion> <values> }}`"
                    )
                };
                let mut f = Finding::new(
                    &RULE,
                    span,
                    format!(
                        "ACL `{acl}` is not defined in {kind} '{name}' before it is used: HAProxy refuses to start with `error detected while parsing … : no such ACL : '{acl}'.`"
                    ),
                )
                .label("no such ACL")
                .help(help);
                if let Some((_, at)) = later.or(other) {
                    f = f.related(*at, "defined here");
                }
                out.push(f);
            }
        }
    }
}
