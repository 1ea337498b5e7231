//! `rss:/NAME[?max_events=N]`: an RSS 2.0 feed of the subscription's events, as cupsd's rss
//! notifier keeps one: written to CacheDir/rss/NAME (whole, through a temporary file and a
//! rename) and served at `/rss/NAME`, newest first, at most `max_events` (default 20) items.
//! Every text is XML-escaped.

use super::lane::Lane;
use super::subject;
use quire_core::model::{Event, Push};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const DEFAULT_MAX_EVENTS: usize = 20;
/// A feed never keeps more than this, whatever `max_events` says.
const MAX_EVENTS_CAP: usize = 1000;

struct Item {
    title: String,
    text: String,
    link: Option<String>,
    time: i64,
    sequence: i32,
}

struct Feed {
    max: usize,
    items: VecDeque<Item>,
    /// When it last got an event (a count of events): the feed unused longest is forgotten
    /// first (its file stays) when there are more than [`MAX_FEEDS`].
    used: u64,
}

/// Feeds kept in memory at most (subscriptions come and go with new names).
const MAX_FEEDS: usize = 256;

/// The feed a recipient names and its `max_events`.
fn feed_of(recipient: &str) -> Option<(&str, usize)> {
    let (path, query) = match recipient.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (recipient, None),
    };
    let name = quire_core::ops::subscriptions::rss_name(path)?;
    let max = query
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("max_events=")))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_MAX_EVENTS)
        .min(MAX_EVENTS_CAP);
    Some((name, max))
}

/// The file `/rss/NAME` is served from, if NAME is a feed name.
pub fn serve_path(cache_dir: &Path, name: &str) -> Option<PathBuf> {
    quire_core::ops::subscriptions::rss_name(&format!("rss:/{name}"))
        .map(|n| cache_dir.join("rss").join(n))
}

pub async fn run(lane: Arc<Lane<Push>>, dir: PathBuf) {
    let mut feeds: BTreeMap<String, Feed> = BTreeMap::new();
    let mut clock = 0u64;
    loop {
        let push = lane.pop().await;
        let Some((name, max)) = feed_of(&push.recipient) else { continue };
        clock += 1;
        if !feeds.contains_key(name) && feeds.len() >= MAX_FEEDS {
            let oldest = feeds.iter().min_by_key(|(_, f)| f.used).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                feeds.remove(&k);
            }
        }
        let feed = feeds.entry(name.to_string()).or_insert_with(|| Feed {
            max,
            items: VecDeque::new(),
            used: 0,
        });
        feed.used = clock;
        feed.items.push_back(item(&push.event));
        while feed.items.len() > feed.max {
            feed.items.pop_front();
        }
        let text = render(feed, &push.event);
        if let Err(e) = write(&dir, name, text).await {
            tracing::error!("rss: unable to write {}/{name}: {e}", dir.display());
        }
    }
}

fn item(ev: &Event) -> Item {
    Item {
        title: subject(ev),
        text: ev.text.clone(),
        // The queue's page, over HTTP as cupsd links it.
        link: ev.printer_uri.as_ref().map(|u| u.replacen("ipp://", "http://", 1)),
        time: ev.time,
        sequence: ev.sequence,
    }
}

async fn write(dir: &Path, name: &str, text: String) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, text).await?;
    tokio::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).await?;
    tokio::fs::rename(&tmp, dir.join(name)).await
}

fn render(feed: &Feed, latest: &Event) -> String {
    let base = latest
        .printer_uri
        .as_deref()
        .and_then(|u| u.strip_prefix("ipp://"))
        .and_then(|rest| rest.split('/').next())
        .map(|host| format!("http://{host}/"))
        .unwrap_or_default();
    let mut out = String::from("<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n  <channel>\n");
    out += "    <title>CUPS RSS Feed</title>\n";
    out += &format!("    <link>{}</link>\n", xml(&base));
    out += "    <description>CUPS RSS Feed</description>\n";
    out += "    <generator>Quire</generator>\n    <ttl>1</ttl>\n";
    out += &format!("    <pubDate>{}</pubDate>\n", http_date(latest.time));
    for it in feed.items.iter().rev() {
        out += "    <item>\n";
        out += &format!("      <title>{}</title>\n", xml(&it.title));
        out += &format!("      <description>{}</description>\n", xml(&it.text));
        if let Some(link) = &it.link {
            out += &format!("      <link>{}</link>\n", xml(link));
        }
        out += &format!("      <pubDate>{}</pubDate>\n", http_date(it.time));
        out += &format!("      <guid>{}</guid>\n", it.sequence);
        out += "    </item>\n";
    }
    out + "  </channel>\n</rss>\n"
}

/// Text safe in XML character data and attribute values; control characters other than
/// tab and line breaks (not allowed in XML 1.0) become spaces.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// RFC 1123 date (`Sun, 06 Dec 2026 09:07:11 GMT`), as RSS wants it.
fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let t = quire_ipp::date::CivilTime::from_unix(unix);
    let day = DAYS[unix.div_euclid(86400).rem_euclid(7) as usize];
    let month = MONTHS[usize::from(t.month.clamp(1, 12)) - 1];
    format!(
        "{day}, {:02} {month} {} {:02}:{:02}:{:02} GMT",
        t.day, t.year, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_dates_like_http() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos; &lt;/a&gt;"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_796_548_031), "Sun, 06 Dec 2026 09:07:11 GMT");
    }

    #[test]
    fn feed_names_and_max_events() {
        assert_eq!(feed_of("rss:/jobs.rss?max_events=5"), Some(("jobs.rss", 5)));
        assert_eq!(feed_of("rss:/jobs.rss"), Some(("jobs.rss", 20)));
        assert_eq!(feed_of("rss:/../etc/passwd"), None);
        assert_eq!(feed_of("rss://host/x.rss"), None);
    }
}
