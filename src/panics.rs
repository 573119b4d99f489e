//! Caught panics: what they said, and the fault injection the crash tests use.

/// What a caught panic said.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Fault injection for the tests of crash handling (debug builds only): with
/// `GWLINT_INJECT_PANIC=<stage>`, the stage panics on a file whose text holds
/// `gwlint-inject-panic`.
pub(crate) fn inject_panic(stage: &str, text: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("GWLINT_INJECT_PANIC").is_some_and(|s| s == stage)
        && text.contains("gwlint-inject-panic")
    {
        panic!("injected panic in {stage}");
    }
    let _ = (stage, text);
}
