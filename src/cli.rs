//! The command line: `gwlint [OPTIONS] [PATH]...`, `gwlint rule X`, `gwlint rules`,
//! `gwlint parse FILE`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::filter::Selection;
use crate::finding::Severity;
use crate::report::{self, Format};
use crate::rules::{self, RULES};

#[derive(Parser, Debug)]
#[command(
    name = "gwlint",
    version,
    about = "Finds what makes an NGINX or HAProxy gateway answer 502/503/504, before deploy",
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 no findings at or above --fail-on; 1 findings; 2 usage or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a rule's page (by code or name)
    Rule { rule: String },
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the syntax tree of a configuration
    Parse {
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
        /// Do not follow includes
        #[arg(long)]
        single_file: bool,
        /// nginx's conf prefix for relative includes (default: the file's directory)
        #[arg(long)]
        prefix: Option<PathBuf>,
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ParseFormat {
    Json,
    Crossplane,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DialectArg {
    Nginx,
    Haproxy,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files and directories to lint; `-` reads standard input [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format [default: pretty on a terminal, concise otherwise]
    #[arg(long, value_enum, env = "GWLINT_FORMAT")]
    pub format: Option<Format>,
    /// Only these rules (codes, names, code prefixes, ALL); comma-separated or repeated
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes, names, code prefixes)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding has at least this severity
    #[arg(long, value_enum, default_value_t = FailOn::Info)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings
    #[arg(long)]
    pub exit_zero: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print findings only, no summary
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the number of findings per rule
    #[arg(long)]
    pub statistics: bool,
    /// Treat the inputs as this dialect instead of detecting it
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// The name to report standard input under
    #[arg(long)]
    pub stdin_filename: Option<String>,
    /// nginx's conf prefix: relative includes start here (default: the main file's directory)
    #[arg(long)]
    pub prefix: Option<PathBuf>,
    /// The nginx version the configuration runs on, e.g. 1.24.0 (default: unknown; rules
    /// then assume the defaults that break)
    #[arg(long, value_name = "X.Y.Z")]
    pub nginx_version: Option<crate::rules::Version>,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Rule { rule }) => match rules::find(&rule) {
            Some(r) => {
                print!("{}", r.page);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("gwlint: error: no rule \"{rule}\"; `gwlint rules` lists them");
                ExitCode::from(2)
            }
        },
        Some(Command::Rules { format }) => {
            print!("{}", list_rules(format));
            ExitCode::SUCCESS
        }
        Some(Command::Parse {
            format,
            single_file,
            prefix,
            file,
        }) => parse(&file, format, single_file, prefix),
        None => lint(cli.lint),
    }
}

fn list_rules(format: ListFormat) -> String {
    match format {
        ListFormat::Text => {
            let mut s = String::new();
            let mut rules: Vec<_> = RULES.iter().collect();
            rules.sort_by_key(|r| r.code);
            for r in rules {
                s.push_str(&format!(
                    "{:<6} {:<30} {:<8} {}\n",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                ));
            }
            s
        }
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "family": r.family.as_str(),
                        "dialects": r.dialects,
                        "summary": r.summary,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

fn parse(
    file: &std::path::Path,
    format: ParseFormat,
    single: bool,
    prefix: Option<PathBuf>,
) -> ExitCode {
    let mut loader = crate::load::Loader::default();
    let name = file.to_string_lossy().into_owned();
    let root = match loader.load(file, &name) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("gwlint: error: {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let prefix = prefix.unwrap_or_else(|| file.parent().map(PathBuf::from).unwrap_or_default());
    let haproxy = crate::discover::looks_like_haproxy(&loader.sources.get(root).text);
    if haproxy && matches!(format, ParseFormat::Crossplane) {
        eprintln!(
            "gwlint: error: {name}: crossplane's format is for nginx; this is HAProxy configuration"
        );
        return ExitCode::from(2);
    }
    let tree = if haproxy {
        crate::syntax::include::Tree::haproxy(&mut loader, vec![root])
    } else {
        crate::syntax::include::build(&mut loader, root, &prefix, single)
    };
    let parsed = loader.parsed_map();
    let out = match format {
        ParseFormat::Json => report::tree::render(&tree, parsed, &loader.sources),
        ParseFormat::Crossplane => {
            report::crossplane::render(&tree, parsed, &loader.sources, single)
        }
    };
    print!("{out}");
    let failed = tree
        .files
        .iter()
        .any(|f| parsed.get(f).is_some_and(|p| !p.errors.is_empty()))
        || !tree.findings.is_empty();
    ExitCode::from(u8::from(failed))
}

fn lint(args: LintArgs) -> ExitCode {
    let selection = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let unknown = selection.unknown();
    if !unknown.is_empty() {
        eprintln!(
            "gwlint: error: no rule matches {}; `gwlint rules` lists them",
            unknown
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    }
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut opts = crate::Options {
        prefix: args.prefix.clone(),
        stdin: None,
        nginx_version: args.nginx_version,
        facts: Default::default(),
        dialect: args.dialect.map(|d| match d {
            DialectArg::Nginx => crate::finding::Dialect::Nginx,
            DialectArg::Haproxy => crate::finding::Dialect::Haproxy,
        }),
    };
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("gwlint: error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        opts.stdin = Some((name, buf));
    }

    let mut outcome = crate::lint(&paths, &opts);
    selection.apply(&mut outcome.findings);

    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Pretty
    } else {
        Format::Concise
    });
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let sources = &outcome.loader.sources;
    let findings = &outcome.findings;
    let mut out = match format {
        Format::Pretty => report::pretty::render(findings, sources, color),
        Format::Concise => report::concise::render(findings, sources),
        Format::Json => report::json::render(findings, sources),
        Format::Sarif => report::sarif::render(findings, sources),
        Format::Github => report::github::render(findings, sources),
    };
    let human = matches!(format, Format::Pretty | Format::Concise);
    if args.statistics && human {
        out.push_str(&statistics(findings));
    }
    if human && !args.quiet {
        if findings.is_empty() {
            out.push_str(&format!(
                "No problems found in {} file{}.\n",
                outcome.files,
                plural(outcome.files)
            ));
        } else {
            out.push_str(&format!(
                "Found {} problem{} ({}) in {} file{}.\n",
                findings.len(),
                plural(findings.len()),
                report::summary(findings),
                outcome.files,
                plural(outcome.files)
            ));
        }
    }
    let mut lock = stdout.lock();
    let _ = lock.write_all(out.as_bytes());
    let _ = lock.flush();
    if args.statistics && !human {
        eprint!("{}", statistics(findings));
    }
    for e in &outcome.errors {
        eprintln!("gwlint: error: {e}");
    }
    if !outcome.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let failing = findings.iter().any(|f| f.severity >= threshold);
    let code = ExitCode::from(u8::from(failing && !args.exit_zero));
    // The process ends here: freeing every syntax tree one by one would only cost time.
    std::mem::forget(outcome);
    code
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn statistics(findings: &[crate::finding::Finding]) -> String {
    let mut s = String::new();
    for r in RULES {
        let n = findings.iter().filter(|f| f.rule.code == r.code).count();
        if n > 0 {
            s.push_str(&format!("{n:>5}  {:<6} {}\n", r.code, r.name));
        }
    }
    s
}
