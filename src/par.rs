//! Running work on all cores.

/// `f` over `items` on all cores, results in the order of `items`. One item runs on the
/// calling thread: a single small configuration pays nothing for the thread pool.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < 2 {
        return items.iter().map(f).collect();
    }
    items.par_iter().map(f).collect()
}
