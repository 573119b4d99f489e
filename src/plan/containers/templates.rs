//! The official nginx image's start-up step: `templates/*.template` through envsubst into
//! `conf.d/`.

use std::path::{Path, PathBuf};

use super::*;

// ---------------------------------------------------------------------------------------------
// The official nginx image's templates

/// One envsubst pass of the official image's `20-envsubst-on-templates.sh`: files under the
/// template directory ending in `suffix` become `output/RELATIVE` without the suffix.
pub(super) struct TemplatePass {
    pub(super) suffix: String,
    pub(super) output: PathBuf,
}

/// Adds what the official nginx image's entrypoint generates at start: each `*.template` under
/// `/etc/nginx/templates` (subdirectories kept) becomes `/etc/nginx/conf.d/NAME`, each
/// `*.stream-template` `/etc/nginx/stream-conf.d/NAME`, honouring the `NGINX_ENVSUBST_*`
/// variables. The generated file maps back to its template.
pub(super) fn add_template_mounts(service: &mut Service) {
    let env = |name: &str, default: &str| {
        service
            .env_var(name)
            .filter(|v| !v.is_empty())
            .unwrap_or(default)
            .to_string()
    };
    let dir = in_container(
        Path::new("/"),
        &env("NGINX_ENVSUBST_TEMPLATE_DIR", "/etc/nginx/templates"),
    );
    let passes = [
        TemplatePass {
            suffix: env("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template"),
            output: in_container(
                Path::new("/"),
                &env("NGINX_ENVSUBST_OUTPUT_DIR", "/etc/nginx/conf.d"),
            ),
        },
        TemplatePass {
            suffix: env("NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX", ".stream-template"),
            output: in_container(
                Path::new("/"),
                &env(
                    "NGINX_ENVSUBST_STREAM_OUTPUT_DIR",
                    "/etc/nginx/stream-conf.d",
                ),
            ),
        },
    ];
    let mut generated = Vec::new();
    for (i, mount) in service.mounts.iter().enumerate() {
        for (runtime, local) in templates_of(mount, &dir) {
            // A later mount over the same place hides this one's file.
            if service.mounts[i + 1..]
                .iter()
                .any(|m| runtime.starts_with(&m.runtime))
            {
                continue;
            }
            let Ok(rel) = runtime.strip_prefix(&dir) else {
                continue;
            };
            for pass in &passes {
                let Some(out) = strip_name_suffix(rel, &pass.suffix) else {
                    continue;
                };
                let location = mount
                    .origin
                    .rsplit_once(" (")
                    .map_or(mount.origin.as_str(), |(l, _)| l);
                generated.push(Mount {
                    runtime: normalize(&pass.output.join(out)),
                    local: local.clone(),
                    origin: format!("{location} (templates → {})", base_name(&pass.output)),
                    line: mount.line,
                });
            }
        }
    }
    service.mounts.extend(generated);
}

/// The files a mount puts under the template directory: (run-time path, repository path).
pub(super) fn templates_of(mount: &Mount, dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let (scan, runtime_base) = if let Ok(below) = dir.strip_prefix(&mount.runtime) {
        (mount.local.join(below), dir.to_path_buf()) // the mount holds the template directory
    } else if mount.runtime.starts_with(dir) {
        (mount.local.clone(), mount.runtime.clone()) // the mount is inside it
    } else {
        return Vec::new();
    };
    walkdir::WalkDir::new(&scan)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(MAX_MATCHES)
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&scan).ok()?;
            Some((normalize(&runtime_base.join(rel)), normalize(e.path())))
        })
        .collect()
}

/// `rel` with `suffix` taken off its file name, when the name ends with it (and is more).
pub(super) fn strip_name_suffix(rel: &Path, suffix: &str) -> Option<PathBuf> {
    let name = rel.file_name()?.to_str()?;
    let stem = name.strip_suffix(suffix).filter(|s| !s.is_empty())?;
    Some(rel.with_file_name(stem))
}
