//! Long jobs off the interpreter: a job runs on a thread of its own with the interpreter
//! released, while the calling thread wakes every [`TICK`] to pass the job's progress to
//! Python and to check for signals (`Python::check_signals`, which raises KeyboardInterrupt
//! after Ctrl-C). On an interrupt the job's cancellation flag is set, the job is waited for (it
//! stops promptly, writing nothing) and the interrupt is raised. A panic in the job becomes a
//! `RuntimeError`, never an abort.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use pimsim::api::{Control, Progress};
use pimsim::error::Error;
use pyo3::prelude::*;

use crate::errors;

/// How often the calling thread looks at signals and progress.
const TICK: Duration = Duration::from_millis(50);

/// A progress event kept for the calling thread.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    /// A stretch of `total` `unit`s starts.
    Start {
        total: u64,
        unit: &'static str,
        label: Option<String>,
    },
    /// More units done (consecutive events added up).
    Done(u64),
}

/// Progress events between two ticks.
#[derive(Default)]
struct Events {
    queue: Mutex<Vec<Event>>,
}

impl Events {
    fn lock(&self) -> MutexGuard<'_, Vec<Event>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, event: Progress) {
        let mut queue = self.lock();
        match event {
            Progress::Start { total, unit, label } => queue.push(Event::Start {
                total,
                unit,
                label: label.map(str::to_string),
            }),
            Progress::Done(n) => match queue.last_mut() {
                Some(Event::Done(m)) => *m = m.saturating_add(n),
                _ => queue.push(Event::Done(n)),
            },
        }
    }

    fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.lock())
    }
}

/// Whether the job has ended, with a condition variable to wait on.
#[derive(Default)]
struct Finished {
    done: Mutex<bool>,
    changed: Condvar,
}

impl Finished {
    fn set(&self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.changed.notify_all();
    }

    /// Waits at most `timeout`; whether the job has ended.
    fn wait(&self, timeout: Duration) -> bool {
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        let (done, _) = self
            .changed
            .wait_timeout_while(done, timeout, |d| !*d)
            .unwrap_or_else(|e| e.into_inner());
        *done
    }
}

/// Sets [`Finished`] when dropped: also when the job panics.
struct SetOnDrop<'a>(&'a Finished);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set();
    }
}

/// Passes `events` to the Python callable `progress(kind, value, unit, label)`: `("start",
/// total, unit, label)` and `("advance", n, None, None)`.
fn deliver(progress: &Bound<'_, PyAny>, events: Vec<Event>) -> PyResult<()> {
    for event in events {
        match event {
            Event::Start { total, unit, label } => {
                progress.call1(("start", total, Some(unit), label))?;
            }
            Event::Done(n) => {
                progress.call1(("advance", n, None::<&str>, None::<&str>))?;
            }
        }
    }
    Ok(())
}

/// Runs `job` with the interpreter released (see the module's documentation), passing its
/// progress to `progress` when given.
pub fn run<T, F>(py: Python<'_>, progress: Option<&Bound<'_, PyAny>>, job: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Control) -> Result<T, Error> + Send,
{
    let cancel = AtomicBool::new(false);
    let events = Events::default();
    let finished = Finished::default();
    let wants_progress = progress.is_some();
    let report = |event: Progress| {
        if wants_progress {
            events.push(event);
        }
    };
    let (outcome, stop) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let _set = SetOnDrop(&finished);
            let control = Control::new(&cancel, &report);
            catch_unwind(AssertUnwindSafe(|| job(&control)))
        });
        // The first exception seen here (an interrupt, or one raised by the progress
        // callable): the job is cancelled and this is raised once it has stopped.
        let mut stop: Option<PyErr> = None;
        loop {
            let done = py.detach(|| finished.wait(TICK));
            if let Some(p) = progress
                && stop.is_none()
                && let Err(e) = deliver(p, events.take())
            {
                cancel.store(true, Ordering::SeqCst);
                stop = Some(e);
            }
            if done {
                break;
            }
            if stop.is_none()
                && let Err(e) = py.check_signals()
            {
                cancel.store(true, Ordering::SeqCst);
                stop = Some(e);
            }
        }
        let outcome = py.detach(|| worker.join());
        (outcome, stop)
    });
    if let Some(e) = stop {
        return Err(e);
    }
    match outcome {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(e))) => Err(errors::to_py(py, e)),
        Ok(Err(payload)) | Err(payload) => Err(errors::panic_error(payload)),
    }
}

/// Runs a short call of the library that holds the interpreter (validating a scenario),
/// turning a panic into a `RuntimeError`.
pub fn guarded<T>(py: Python<'_>, call: impl FnOnce() -> Result<T, Error>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(errors::to_py(py, e)),
        Err(payload) => Err(errors::panic_error(payload)),
    }
}
