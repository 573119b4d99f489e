//! The command line: `gwlint [OPTIONS] [PATH]...`, `gwlint rule X`, `gwlint rules`,
//! `gwlint parse FILE`, `gwlint files PATH...`, `gwlint completions SHELL`, `gwlint manpage`,
//! `gwlint graph PATH…`, `gwlint server`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::filter::Selection;
use crate::finding::Severity;
use crate::output::{self, errln};
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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
    /// Print the settings in force for a path and where they come from (or --schema)
    Config(crate::config::show::ConfigArgs),
    /// List the files a lint of these paths reads: each with its dialect and, for an included
    /// file, the main configuration it is linted with
    Files {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Treat the inputs as this dialect instead of detecting it
        #[arg(long, value_enum)]
        dialect: Option<DialectArg>,
        /// nginx's conf prefix: relative includes start here
        #[arg(long)]
        prefix: Option<PathBuf>,
        #[command(flatten)]
        deploy: DeployArgs,
        /// Files and directories [default: .]
        paths: Vec<PathBuf>,
    },
    /// Print a shell completion script, e.g. `gwlint completions bash > /etc/bash_completion.d/gwlint`
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `gwlint manpage > gwlint.1`
    Manpage,
    /// Print how the proxies reach each other: client → listener → route → pool → server →
    /// the next proxy's listener → …
    Graph {
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
        /// nginx's conf prefix for relative includes (default: the main file's directory)
        #[arg(long)]
        prefix: Option<PathBuf>,
        #[command(flatten)]
        deploy: DeployArgs,
        /// Files and directories, as for linting [default: .]
        paths: Vec<PathBuf>,
    },
    /// Run a language server on standard input and output (LSP), for editors: each open
    /// buffer is linted in its deployment, as `--stdin-filename` lints it
    Server(ServerArgs),
}

/// What every lint of the server takes, as the same flags do for a lint run.
#[derive(Args, Debug)]
pub(crate) struct ServerArgs {
    /// Use this configuration file instead of the nearest gwlint.toml / .gwlint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore every configuration file
    #[arg(long)]
    pub(crate) isolated: bool,
    /// The nginx version the configuration runs on, e.g. 1.24.0
    #[arg(long, value_name = "X.Y.Z")]
    pub(crate) nginx_version: Option<crate::rules::Version>,
    /// The HAProxy version the configuration runs on, e.g. 2.8.5
    #[arg(long, value_name = "X.Y.Z")]
    pub(crate) haproxy_version: Option<crate::rules::Version>,
    #[command(flatten)]
    pub(crate) deploy: DeployArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum GraphFormat {
    Text,
    Json,
    Dot,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ParseFormat {
    Json,
    Crossplane,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum DialectArg {
    Nginx,
    Haproxy,
}

impl DialectArg {
    fn dialect(self) -> crate::finding::Dialect {
        match self {
            DialectArg::Nginx => crate::finding::Dialect::Nginx,
            DialectArg::Haproxy => crate::finding::Dialect::Haproxy,
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct LintArgs {
    /// Files and directories to lint; `-` reads standard input [default: .]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format [default: pretty on a terminal, concise otherwise]
    #[arg(long, value_enum, env = "GWLINT_FORMAT")]
    pub(crate) format: Option<Format>,
    /// Only these rules (codes, names, code prefixes, ALL); comma-separated or repeated
    #[arg(long, value_delimiter = ',')]
    pub(crate) select: Vec<String>,
    /// Skip these rules (codes, names, code prefixes)
    #[arg(long, value_delimiter = ',')]
    pub(crate) ignore: Vec<String>,
    /// Rules to add to the selection (to gwlint.toml's `select`)
    #[arg(long, value_delimiter = ',')]
    pub(crate) extend_select: Vec<String>,
    /// Exit 1 when a finding has at least this severity [default: gwlint.toml's fail-on, or
    /// warning: info findings are hints]
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    /// Use this configuration file instead of the nearest gwlint.toml / .gwlint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore every configuration file
    #[arg(long)]
    pub(crate) isolated: bool,
    /// Exit 0 even when there are findings
    #[arg(long)]
    pub(crate) exit_zero: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Print findings only, no summary
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Print the number of findings per rule
    #[arg(long)]
    pub(crate) statistics: bool,
    /// Write the report to this file instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output_file: Option<PathBuf>,
    /// Report only findings this baseline file does not record, and name recorded ones that
    /// no longer occur
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Record every finding of this run in a baseline file (for --baseline) and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub(crate) write_baseline: Option<PathBuf>,
    /// Repair what can be repaired mechanically, in place; each repair is linted first and
    /// kept only if the finding is gone and nothing new appears
    #[arg(long, conflicts_with = "write_baseline")]
    pub(crate) fix: bool,
    /// Print the repairs --fix would make as a unified diff and change nothing (exit 1 if
    /// there are any)
    #[arg(long, conflicts_with = "write_baseline")]
    pub(crate) diff: bool,
    /// Treat the inputs as this dialect instead of detecting it
    #[arg(long, value_enum)]
    pub(crate) dialect: Option<DialectArg>,
    /// The name to report standard input under
    #[arg(long)]
    pub(crate) stdin_filename: Option<String>,
    /// nginx's conf prefix: relative includes start here (default: the main file's directory)
    #[arg(long)]
    pub(crate) prefix: Option<PathBuf>,
    /// The nginx version the configuration runs on, e.g. 1.24.0 (default: gwlint.toml's
    /// [nginx] version, else unknown; rules then assume the defaults that break)
    #[arg(long, value_name = "X.Y.Z")]
    pub(crate) nginx_version: Option<crate::rules::Version>,
    /// The HAProxy version the configuration runs on, e.g. 2.8.5 (default: gwlint.toml's
    /// [haproxy] version, else unknown)
    #[arg(long, value_name = "X.Y.Z")]
    pub(crate) haproxy_version: Option<crate::rules::Version>,
    #[command(flatten)]
    pub(crate) deploy: DeployArgs,
    #[command(flatten)]
    pub(crate) online: OnlineArgs,
}

/// Where the configuration runs: what maps run-time paths to the repository.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Deployment")]
pub(crate) struct DeployArgs {
    /// Where a run-time path is in the repository, e.g. /etc/nginx=deploy/nginx; repeatable
    /// (also `[[mount]]` in gwlint.toml; Compose files and Dockerfiles are read by themselves)
    #[arg(long, value_name = "RUNTIME=PATH", value_parser = crate::plan::mounts::parse_flag)]
    pub(crate) mount: Vec<crate::plan::mounts::Mount>,
    /// Follow includes to this host's own files, outside the tree linted (for running on
    /// the gateway itself; never on configurations from untrusted changes)
    #[arg(long)]
    pub(crate) system: bool,
}

/// `--online` and how it probes.
#[derive(Args, Debug)]
#[command(next_help_heading = "Online checks")]
pub(crate) struct OnlineArgs {
    /// Check the targets for real from this host: DNS, TCP connect, TLS ClientHello, unix
    /// sockets, certificate files (without it, nothing is sent to the network)
    #[arg(long)]
    pub(crate) online: bool,
    /// DNS server to ask, repeatable [default: gwlint.toml's [online] resolver, else the
    /// system's resolv.conf and hosts file]
    #[arg(long, value_name = "IP[:PORT]", value_parser = crate::probe::parse_resolver)]
    pub(crate) resolver: Vec<std::net::SocketAddr>,
    /// How long to wait for a DNS answer [default: gwlint.toml's [online] dns-timeout, else 2s]
    #[arg(long, value_name = "DURATION", value_parser = crate::probe::parse_duration)]
    pub(crate) dns_timeout: Option<std::time::Duration>,
    /// How long to wait for a TCP connection (and for the answer to a ClientHello) [default:
    /// gwlint.toml's [online] connect-timeout, else 1s]
    #[arg(long, value_name = "DURATION", value_parser = crate::probe::parse_duration)]
    pub(crate) connect_timeout: Option<std::time::Duration>,
    /// Report a client certificate that expires within this many days [default: gwlint.toml's
    /// [online] cert-warn-days, else 14]
    #[arg(long, value_name = "DAYS")]
    pub(crate) cert_warn_days: Option<u32>,
}

/// Standard output is written through [`output::stdout`] only, once per run, so that every
/// subcommand ends the same way when it cannot be written: quietly with status 0 on a broken
/// pipe, with `gwlint: error: cannot write output: …` and status 2 on any other failure.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        // --help and --version: on standard output, checked like any other output.
        Err(e) => return emit(clap_message(&e).as_bytes(), ExitCode::SUCCESS),
    };
    match cli.command {
        Some(Command::Rule { rule }) => match rules::find(&rule) {
            Some(r) => emit(r.page.as_bytes(), ExitCode::SUCCESS),
            None => {
                errln!("gwlint: error: no rule \"{rule}\"; `gwlint rules` lists them");
                ExitCode::from(2)
            }
        },
        Some(Command::Rules { format }) => emit(list_rules(format).as_bytes(), ExitCode::SUCCESS),
        Some(Command::Parse {
            format,
            single_file,
            prefix,
            file,
        }) => parse(&file, format, single_file, prefix),
        Some(Command::Config(args)) => crate::config::show::run(args),
        Some(Command::Files {
            format,
            dialect,
            prefix,
            deploy,
            paths,
        }) => files(paths, format, dialect, prefix, deploy),
        Some(Command::Completions { shell }) => {
            // Into memory: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "gwlint", &mut script);
            emit(&script, ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut page) {
                Ok(()) => emit(&page, ExitCode::SUCCESS),
                Err(e) => {
                    errln!("gwlint: error: cannot render the manual page: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Some(Command::Graph {
            format,
            prefix,
            deploy,
            paths,
        }) => graph(paths, format, prefix, deploy),
        Some(Command::Server(args)) => server(args),
        None => lint(cli.lint),
    }
}

/// An error message for standard error (which CI logs show): control characters from the
/// input escaped, the message's own `help:` line kept on a line of its own.
fn shown(e: &str) -> String {
    crate::output::escape(e).replace("\\n  help: ", "\n  help: ")
}

/// Writes `bytes` to standard output and ends with `code`, or with what the failed write
/// calls for (see [`output::failed`]).
fn emit(bytes: &[u8], code: ExitCode) -> ExitCode {
    match output::stdout(bytes) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}

/// clap's help or version text, coloured as clap would colour it on standard output (the
/// same decision from the terminal, `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE`).
fn clap_message(e: &clap::Error) -> String {
    let choice = anstream::AutoStream::choice(&std::io::stdout());
    let mut text = anstream::AutoStream::new(Vec::new(), choice);
    let _ = write!(text, "{}", e.render().ansi());
    String::from_utf8_lossy(&text.into_inner()).into_owned()
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
                        "refuses_to_start": !r.refuses.is_empty(),
                        "refuses_in": r.refuses,
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
            errln!(
                "gwlint: error: {}: {e}",
                crate::output::escape(&name.to_string())
            );
            return ExitCode::from(2);
        }
    };
    let prefix = prefix.unwrap_or_else(|| file.parent().map(PathBuf::from).unwrap_or_default());
    let haproxy = crate::discover::looks_like_haproxy(&loader.sources.get(root).text);
    if haproxy && matches!(format, ParseFormat::Crossplane) {
        errln!(
            "gwlint: error: {}: crossplane's format is for nginx; this is HAProxy configuration",
            crate::output::escape(&name.to_string())
        );
        return ExitCode::from(2);
    }
    let tree = if haproxy {
        crate::load::include::Tree::haproxy(&mut loader, vec![root])
    } else {
        crate::load::include::build(
            &mut loader,
            root,
            {
                let mut place = crate::plan::place::Place::local(&prefix);
                place.boundary = crate::plan::Planner::new(Vec::new(), false).boundary(file);
                place
            },
            single,
        )
    };
    let parsed = loader.parsed_map();
    let out = match format {
        ParseFormat::Json => report::tree::render(&tree, parsed, &loader.sources),
        ParseFormat::Crossplane => {
            report::crossplane::render(&tree, parsed, &loader.sources, single)
        }
    };
    let failed = tree
        .files
        .iter()
        .any(|f| parsed.get(f).is_some_and(|p| !p.errors.is_empty()))
        || !tree.problems.is_empty();
    emit(out.as_bytes(), ExitCode::from(u8::from(failed)))
}

/// `gwlint graph`: how the proxies of a run reach each other.
fn graph(
    mut paths: Vec<PathBuf>,
    format: GraphFormat,
    prefix: Option<PathBuf>,
    deploy: DeployArgs,
) -> ExitCode {
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    // gwlint.toml's [[link]] entries link host names, as in a lint run.
    let opts = crate::Options {
        prefix,
        config: crate::config::Resolver::discover(),
        graph: true,
        plan_only: true,
        mounts: deploy.mount,
        system: deploy.system,
        ..Default::default()
    };
    let outcome = crate::lint(&paths, &opts);
    let out = match format {
        GraphFormat::Text => outcome.graph.render_text(),
        GraphFormat::Json => outcome.graph.render_json(),
        GraphFormat::Dot => outcome.graph.render_dot(),
    };
    if let Err(failed) = output::stdout(out.as_bytes()) {
        return failed;
    }
    for e in &outcome.errors {
        errln!("gwlint: error: {}", shown(&e.to_string()));
    }
    ExitCode::from(if outcome.errors.is_empty() { 0 } else { 2 })
}

/// `gwlint server`. A `--config` file that cannot be read is a usage error before the
/// server starts, as it is for a lint run.
fn server(args: ServerArgs) -> ExitCode {
    if let Err(code) = crate::config::show::resolver(args.config.as_deref(), args.isolated) {
        return code;
    }
    crate::server::run(crate::server::Settings {
        config: args.config,
        isolated: args.isolated,
        nginx_version: args.nginx_version,
        haproxy_version: args.haproxy_version,
        mounts: args.deploy.mount,
        system: args.deploy.system,
    })
}

/// `gwlint files`: the discovery of a lint run, shown instead of its findings.
fn files(
    mut paths: Vec<PathBuf>,
    format: ListFormat,
    dialect: Option<DialectArg>,
    prefix: Option<PathBuf>,
    deploy: DeployArgs,
) -> ExitCode {
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let opts = crate::Options {
        prefix,
        dialect: dialect.map(DialectArg::dialect),
        config: crate::config::Resolver::discover(),
        plan_only: true,
        mounts: deploy.mount,
        system: deploy.system,
        ..Default::default()
    };
    let outcome = crate::lint(&paths, &opts);
    let name = |f| outcome.loader.sources.get(f).name.as_str();
    let out = match format {
        ListFormat::Text => {
            let name = |f| crate::output::escape(name(f));
            let width = outcome
                .linted
                .iter()
                .map(|l| name(l.file).chars().count())
                .max()
                .unwrap_or(0);
            let mut s = String::new();
            for l in &outcome.linted {
                let mut line = format!(
                    "{:<width$}  {:<7}  {}",
                    name(l.file),
                    l.dialect.as_str(),
                    l.root
                        .map_or(String::new(), |r| format!("included by {}", name(r)))
                );
                if let Some((rt, by)) = &l.runtime {
                    line = format!(
                        "{}  at {}",
                        line.trim_end(),
                        crate::output::escape(&rt.display().to_string())
                    );
                    if let Some(by) = by {
                        line.push_str(&format!(" ({})", crate::output::escape(by)));
                    }
                }
                s.push_str(line.trim_end());
                s.push('\n');
            }
            for (path, why) in outcome.skipped.iter().chain(&outcome.not_config) {
                s.push_str(&format!("skipped {}: {why}\n", crate::output::escape(path)));
            }
            s
        }
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = outcome
                .linted
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "file": name(l.file),
                        "dialect": l.dialect,
                        "root": l.root.map(name),
                        "runtime": l.runtime.as_ref().map(|(p, _)| p.to_string_lossy()),
                        "mapped_by": l.runtime.as_ref().and_then(|(_, by)| by.clone()),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    if let Err(failed) = output::stdout(out.as_bytes()) {
        return failed;
    }
    for e in &outcome.errors {
        errln!("gwlint: error: {}", shown(&e.to_string()));
    }
    ExitCode::from(if outcome.errors.is_empty() { 0 } else { 2 })
}

fn lint(args: LintArgs) -> ExitCode {
    let selection = Selection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let unknown = selection.unknown();
    if !unknown.is_empty() {
        errln!(
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
    let config = match crate::config::show::resolver(args.config.as_deref(), args.isolated) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // A broken gwlint.toml for a path given is a usage error before anything is linted.
    for p in paths.iter().filter(|p| p.as_os_str() != "-") {
        config.for_path(p);
    }
    let broken = config.take_errors();
    if !broken.is_empty() {
        for e in broken {
            errln!("gwlint: error: {}", shown(&e.to_string()));
        }
        return ExitCode::from(2);
    }
    let mut opts = crate::Options {
        config: config.clone(),
        selection,
        prefix: args.prefix.clone(),
        stdin: None,
        nginx_version: args.nginx_version,
        haproxy_version: args.haproxy_version,
        facts: Default::default(),
        online: args.online.online.then(|| crate::probe::OnlineOptions {
            resolvers: args.online.resolver.clone(),
            dns_timeout: args.online.dns_timeout,
            connect_timeout: args.online.connect_timeout,
            cert_warn_days: args.online.cert_warn_days,
            progress: std::io::stderr().is_terminal(),
            ..Default::default()
        }),
        dialect: args.dialect.map(DialectArg::dialect),
        // The HTML report draws the chain.
        graph: args.format == Some(Format::Html),
        plan_only: false,
        mounts: args.deploy.mount.clone(),
        system: args.deploy.system,
        overlays: Vec::new(),
    };
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            errln!("gwlint: error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        opts.stdin = Some((name, buf));
    }

    // A baseline that cannot be read is a usage error before anything is linted.
    let baseline = match args
        .baseline
        .as_deref()
        .map(crate::baseline::Baseline::read)
    {
        Some(Err(e)) => {
            errln!("gwlint: error: {}", shown(&e));
            return ExitCode::from(2);
        }
        Some(Ok(b)) => Some(b),
        None => None,
    };

    if (args.fix || args.diff) && paths.iter().any(|p| p.as_os_str() == "-") {
        errln!(
            "gwlint: error: --fix and --diff change files of the tree; standard input is not one (name the file instead)"
        );
        return ExitCode::from(2);
    }

    let mut outcome = crate::lint(&paths, &opts);

    if let Some(path) = &args.write_baseline {
        return write_baseline(outcome, path);
    }
    if args.fix || args.diff {
        let mut plan = crate::fix::plan(&paths, &opts, outcome);
        for (file, line, code, why) in &plan.rejected {
            errln!(
                "gwlint: {code} at {}:{line} not fixed: {}",
                shown(file),
                shown(why)
            );
        }
        if args.diff {
            let text = crate::fix::diff(&plan.changed);
            if let Err(failed) = output::stdout(text.as_bytes()) {
                return failed;
            }
            return ExitCode::from(u8::from(!plan.changed.is_empty()));
        }
        if let Err(e) = crate::fix::write(&plan.changed) {
            errln!("gwlint: error: {}", shown(&e));
            return ExitCode::from(2);
        }
        if plan.fixed > 0 {
            errln!(
                "gwlint: fixed {} finding{} in {} file{}",
                plan.fixed,
                plural(plan.fixed),
                plan.changed.len(),
                plural(plan.changed.len())
            );
        }
        outcome = plan.outcome.take().expect("a plan keeps its outcome");
    }
    let before = outcome.findings.len();
    let gone = match &baseline {
        Some(b) => b.apply(&mut outcome.findings, &outcome.loader.sources),
        None => Vec::new(),
    };
    let baselined = before - outcome.findings.len();

    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal() && args.output_file.is_none();
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
        Format::Sarif => report::sarif::render(findings, sources, &outcome.errors),
        Format::Github => report::github::render(findings, sources),
        Format::Checkstyle => report::checkstyle::render(findings, sources),
        Format::Junit => report::junit::render(findings, sources, &outcome.errors),
        Format::Gitlab => report::gitlab::render(findings, sources),
        Format::Html => report::html::render(
            findings,
            sources,
            &outcome.errors,
            outcome.files,
            &outcome.graph,
        ),
    };
    let human = matches!(format, Format::Pretty | Format::Concise);
    if args.statistics && human {
        out.push_str(&statistics(findings));
    }
    if human && !args.quiet {
        let failed = outcome.errors.len();
        if findings.is_empty() && failed > 0 {
            // Not "No problems": what could not be read was not checked (the errors follow).
            out.push_str(&format!(
                "{} file{} checked; {failed} path{} could not be read.\n",
                outcome.files,
                plural(outcome.files),
                plural(failed)
            ));
        } else if findings.is_empty() && outcome.files == 0 {
            out.push_str("No configuration checked.\n");
        } else if findings.is_empty() {
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
    if human && !args.quiet {
        let unfollowed = findings
            .iter()
            .filter(|f| f.rule.code == crate::rules::include_not_followed::RULE.code)
            .count();
        if unfollowed > 0 {
            out.push_str(&format!(
                "{unfollowed} include{} not followed (GW005): what {} define is unknown.\n",
                plural(unfollowed),
                if unfollowed == 1 {
                    "it would"
                } else {
                    "they would"
                }
            ));
        }
        for (path, why) in &outcome.skipped {
            out.push_str(&format!("Skipped {}: {why}\n", crate::output::escape(path)));
        }
        let others = outcome.not_config.len();
        if others > 0 {
            out.push_str(&format!(
                "Skipped {others} file{} found by name that {} not nginx or HAProxy configuration (`gwlint files` lists {}).\n",
                plural(others),
                if others == 1 { "is" } else { "are" },
                if others == 1 { "it" } else { "them" },
            ));
        }
    }
    if human && !args.quiet && baselined > 0 {
        out.push_str(&format!(
            "{baselined} finding{} recorded in the baseline {} not shown.\n",
            plural(baselined),
            if baselined == 1 { "is" } else { "are" }
        ));
    }
    if human && !args.quiet && !gone.is_empty() {
        out.push_str(&format!(
            "{} baseline entr{} no longer occur{} (fixed, or the text changed); --write-baseline records the run anew:\n",
            gone.len(),
            if gone.len() == 1 { "y" } else { "ies" },
            if gone.len() == 1 { "s" } else { "" },
        ));
        for e in &gone {
            out.push_str(&format!(
                "  {}:{}: {} {}\n",
                crate::output::escape(&e.file),
                e.line,
                crate::output::escape(&e.code),
                crate::output::escape(&e.message)
            ));
        }
    }
    let written = match &args.output_file {
        Some(path) => write_file(path, out.as_bytes()),
        None => output::stdout(out.as_bytes()),
    };
    if let Err(failed) = written {
        std::mem::forget(outcome);
        return failed;
    }
    if !human && !gone.is_empty() {
        errln!(
            "gwlint: note: {} baseline entr{} no longer occur (--write-baseline records the run anew)",
            gone.len(),
            if gone.len() == 1 { "y" } else { "ies" }
        );
    }
    if args.statistics && !human {
        output::stderr(format_args!("{}", statistics(findings)));
    }
    for n in &outcome.notes {
        errln!("gwlint: note: {}", crate::output::escape(n));
    }
    for e in &outcome.errors {
        errln!("gwlint: error: {}", shown(&e.to_string()));
    }
    if !outcome.errors.is_empty() {
        return ExitCode::from(2);
    }
    let cli_threshold = args.fail_on.map(|f| match f {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    });
    let failing = findings.iter().any(|f| {
        let threshold = cli_threshold.or_else(|| {
            let cfg = config.for_source(sources.get(f.span.file))?;
            cfg.fail_on.as_ref().map(|l| l.value)
        });
        // Info findings are hints (an include not followed, a name resolved once): they do
        // not fail a run unless asked.
        f.severity >= threshold.unwrap_or(Severity::Warning)
    });
    let code = ExitCode::from(u8::from(failing && !args.exit_zero));
    // The process ends here: freeing every syntax tree one by one would only cost time.
    std::mem::forget(outcome);
    code
}

/// `--output-file`: the report goes to a file, written whole or not at all (a reader never
/// sees half a SARIF document), beside where it ends up so the rename stays on one disk.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), ExitCode> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.gwlint-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        errln!(
            "gwlint: error: cannot write {}: {e}",
            shown(&path.display().to_string())
        );
        ExitCode::from(2)
    })
}

/// `--write-baseline`: records the run's findings and exits 0 (2 when a path could not be
/// linted: a baseline of a partial run would hide nothing there and mislead later).
fn write_baseline(outcome: crate::Outcome, path: &std::path::Path) -> ExitCode {
    for e in &outcome.errors {
        errln!("gwlint: error: {}", shown(e));
    }
    if !outcome.errors.is_empty() {
        errln!("gwlint: error: baseline not written: the run is incomplete");
        return ExitCode::from(2);
    }
    let text = crate::baseline::render(&outcome.findings, &outcome.loader.sources, path);
    if let Err(code) = write_file(path, text.as_bytes()) {
        return code;
    }
    errln!(
        "gwlint: wrote {} finding{} to {}",
        outcome.findings.len(),
        plural(outcome.findings.len()),
        shown(&path.display().to_string())
    );
    ExitCode::SUCCESS
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The online flags take no clap default (an unset flag lets gwlint.toml decide), so their
    /// help states the built-in defaults itself: it must say what the code does.
    #[test]
    fn help_states_the_built_in_online_defaults() {
        // Wrapping depends on the terminal's width: compare words.
        let help = Cli::command().render_long_help().to_string();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let secs = |d: std::time::Duration| format!("else {}s]", d.as_secs());
        for expected in [
            secs(crate::probe::DNS_TIMEOUT),
            secs(crate::probe::CONNECT_TIMEOUT),
            format!("else {}]", crate::probe::CERT_WARN_DAYS),
        ] {
            assert!(help.contains(&expected), "{expected} in\n{help}");
        }
    }
}
