//! A setting a SIGHUP may replace while requests read it (`reload.rs`): readers take the
//! current value (an `Arc`, cheap) and keep it for the request, so one request never sees
//! half of an old configuration and half of a new one.

use std::sync::{Arc, RwLock};

#[derive(Debug)]
pub struct Live<T> {
    current: RwLock<Arc<T>>,
}

impl<T> Live<T> {
    pub fn new(value: T) -> Self {
        Live { current: RwLock::new(Arc::new(value)) }
    }

    /// The value in effect now.
    pub fn get(&self) -> Arc<T> {
        // A writer never panics while holding the lock (it only swaps an Arc), so a poisoned
        // lock still holds a whole value.
        match self.current.read() {
            Ok(v) => Arc::clone(&v),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn set(&self, value: T) {
        let value = Arc::new(value);
        match self.current.write() {
            Ok(mut v) => *v = value,
            Err(poisoned) => *poisoned.into_inner() = value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Live;

    #[test]
    fn a_reader_keeps_the_value_it_took() {
        let live = Live::new(String::from("old"));
        let taken = live.get();
        live.set("new".into());
        assert_eq!((taken.as_str(), live.get().as_str()), ("old", "new"));
    }
}
