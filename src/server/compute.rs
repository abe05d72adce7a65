//! CPU-bound work (the offline engines' generations and chat turns, schema checks, drift scores)
//! runs here, on blocking threads, one job per core at a time: never on the async workers.
//!
//! A request that computes for long then holds a core of this pool, not a worker: the workers
//! keep answering every other request, and further compute jobs wait their turn without a thread.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

/// One permit per core: the most jobs computing at once.
fn permits() -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, usize::from);
            Arc::new(Semaphore::new(cores))
        })
        .clone()
}

/// Runs `work` on a blocking thread once a core is free, and waits for its answer. The job keeps
/// its core until it ends, even when the caller stops waiting. A panic in `work` goes on in the
/// caller, as if the work had run there.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let permit = permits()
        .acquire_owned()
        .await
        .expect("the compute semaphore is never closed");
    let job = tokio::task::spawn_blocking(move || {
        let answer = work();
        drop(permit);
        answer
    });
    match job.await {
        Ok(answer) => answer,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => panic!("a compute job was canceled as the runtime shut down: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_off_the_calling_thread_and_panics_reach_the_caller() {
        let caller = std::thread::current().id();
        let worker = run(|| std::thread::current().id()).await;
        assert_ne!(worker, caller);
        let panicked = tokio::spawn(run(|| panic!("from the pool"))).await;
        assert!(panicked.unwrap_err().is_panic());
    }

    #[tokio::test]
    async fn a_job_that_waits_leaves_the_only_async_worker_free() {
        // This runtime has one worker. The job waits for a task that only a free worker runs.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let job = tokio::spawn(run(move || {
            wait.recv_timeout(std::time::Duration::from_secs(60))
                .is_ok()
        }));
        tokio::spawn(async move { release.send(()).unwrap() })
            .await
            .unwrap();
        assert!(job.await.unwrap(), "the job held the async worker");
    }
}
