//! The error log as cupsd writes it: tracing stays the daemon's logging API, and this layer
//! turns each event into `L [date] message` (cupsd's level letters) on the `ErrorLog`.
//! `LogLevel` picks which events are kept; `QUIRE_LOG` (tracing's filter syntax) overrides
//! it for developers.

use super::sink::Severity;
use super::Logs;
use quire_config::LogLevel;
use std::fmt::Write as _;
use std::sync::Arc;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Sets `LogLevel` again (a SIGHUP's reload).
pub type LevelSwitch = Box<dyn Fn(LogLevel) + Send + Sync>;

/// Makes the error log the process's tracing subscriber; what it returns changes its level
/// (nothing when `QUIRE_LOG` chose the filter).
pub fn init(logs: Arc<Logs>, level: LogLevel) -> Option<LevelSwitch> {
    let from_env = EnvFilter::try_from_env("QUIRE_LOG").ok();
    let fixed = from_env.is_some();
    let filter = from_env.unwrap_or_else(|| EnvFilter::new(filter_for(level)));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let _ = tracing_subscriber::registry().with(filter).with(ErrorLogLayer { logs }).try_init();
    let switch: LevelSwitch = Box::new(move |l| drop(handle.reload(EnvFilter::new(filter_for(l)))));
    (!fixed).then_some(switch)
}

/// The tracing levels a `LogLevel` keeps. tracing has no notice, critical, alert or
/// emergency: `notice` keeps warnings up, and the three above `error` keep errors.
fn filter_for(level: LogLevel) -> &'static str {
    match level {
        LogLevel::None => "off",
        LogLevel::Emerg | LogLevel::Alert | LogLevel::Crit | LogLevel::Error => "error",
        LogLevel::Warn | LogLevel::Notice => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Debug2 => "trace",
    }
}

/// cupsd's letter and the syslog severity of a tracing level (`d` is cupsd's debug2).
pub fn letter_of(level: &Level) -> (char, Severity) {
    match *level {
        Level::ERROR => ('E', Severity::Error),
        Level::WARN => ('W', Severity::Warning),
        Level::INFO => ('I', Severity::Info),
        Level::DEBUG => ('D', Severity::Debug),
        _ => ('d', Severity::Debug),
    }
}

struct ErrorLogLayer {
    logs: Arc<Logs>,
}

impl<S: Subscriber> Layer<S> for ErrorLogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut text = EventText::default();
        event.record(&mut text);
        let (letter, severity) = letter_of(event.metadata().level());
        self.logs.error(letter, severity, &text.finish());
    }
}

/// An event's message, then its other fields as ` name=value`.
#[derive(Default)]
struct EventText {
    message: String,
    fields: String,
}

impl EventText {
    fn finish(mut self) -> String {
        self.message.push_str(&self.fields);
        self.message
    }
}

impl Visit for EventText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_cupsd_letter() {
        let letters: String = [Level::ERROR, Level::WARN, Level::INFO, Level::DEBUG, Level::TRACE]
            .iter()
            .map(|l| letter_of(l).0)
            .collect();
        assert_eq!(letters, "EWIDd");
    }

    #[test]
    fn log_level_none_keeps_nothing_and_debug2_everything() {
        assert_eq!(filter_for(LogLevel::None), "off");
        assert_eq!(filter_for(LogLevel::Warn), "warn");
        assert_eq!(filter_for(LogLevel::Debug2), "trace");
    }
}
