//! A pool of scoped worker threads, one per core, for work over many
//! independent items (envs, files).

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item by a pool of scoped worker threads, one per
/// core (at most one per item), each taking the next item nobody has taken
/// yet; the results are in item order.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    in_parallel_by(1, items, f)
}

/// [`in_parallel`] with `per_core` workers per core: for work that mostly
/// waits on other processes.
pub(crate) fn in_parallel_by<T: Sync, R: Send>(
    per_core: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers =
        (std::thread::available_parallelism().map_or(2, |n| n.get()) * per_core).min(items.len());
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            for (i, r) in handle.join().expect("worker thread panicked") {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item is taken by a worker"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn in_parallel_keeps_item_order() {
        let items: Vec<u64> = (0..200).collect();
        // Uneven work, so workers take items out of order.
        let out = in_parallel(&items, |&i| {
            if i % 3 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(in_parallel(&[] as &[u64], |&i| i), Vec::<u64>::new());
    }
}
