//! How a batch of messages is doing — the activation's invitations and
//! confirmations, or the group messages of an election — as one stacked bar
//! (queued, trying the next channel, sent, delivered, failed) with the
//! numbers beside it. The same partial shows it on both pages; they refresh
//! while any message still waits.

use store::repo::messages::{Batch, Tally, status, tally};
use uuid::Uuid;

use crate::admin::messages::status_label;
use crate::error::Result;

/// One status's share of the bar.
pub struct Part {
    /// The CSS class suffix (`bar-{key}`): the status key.
    pub key: &'static str,
    pub label: &'static str,
    pub count: u64,
    /// Where the part starts and how wide it is, in per cent of the bar.
    pub x: String,
    pub width: String,
}

/// The bar of one batch.
pub struct DeliveryBar {
    pub parts: Vec<Part>,
    pub total: u64,
    /// Some message is still on its way: the page refreshes itself.
    pub waiting: bool,
    /// The numbers in words, for screen readers.
    pub summary: String,
}

impl DeliveryBar {
    pub async fn of(db: &sea_orm::DatabaseConnection, election: Uuid, batch: Batch) -> Result<DeliveryBar> {
        Ok(DeliveryBar::from_tally(tally(db, election, batch).await?))
    }

    fn from_tally(t: Tally) -> DeliveryBar {
        let counts = [
            (status::DELIVERED, t.delivered),
            (status::SENT, t.sent),
            (status::FELL_BACK, t.fell_back),
            (status::QUEUED, t.queued),
            (status::FAILED, t.failed),
        ];
        let total = t.total();
        let percent = |n: u64| if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 };
        let mut start = 0.0;
        let parts: Vec<Part> = counts
            .into_iter()
            .map(|(key, count)| {
                let part = Part {
                    key,
                    label: status_label(key),
                    count,
                    x: format!("{start:.2}"),
                    width: format!("{:.2}", percent(count)),
                };
                start += percent(count);
                part
            })
            .collect();
        let summary = parts.iter().map(|p| format!("{}: {}", p.label, p.count)).collect::<Vec<_>>().join(", ");
        DeliveryBar { parts, total, waiting: t.waiting() > 0, summary }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_each_other_and_fill_the_bar() {
        let t = Tally { queued: 1, fell_back: 1, sent: 2, delivered: 4, failed: 0 };
        let bar = DeliveryBar::from_tally(t);
        let shape: Vec<(&str, u64, &str, &str)> =
            bar.parts.iter().map(|p| (p.key, p.count, p.x.as_str(), p.width.as_str())).collect();
        assert_eq!(
            shape,
            [
                ("delivered", 4, "0.00", "50.00"),
                ("sent", 2, "50.00", "25.00"),
                ("fell_back", 1, "75.00", "12.50"),
                ("queued", 1, "87.50", "12.50"),
                ("failed", 0, "100.00", "0.00"),
            ]
        );
        assert!(bar.waiting);
        assert_eq!(bar.total, 8);
        assert!(bar.summary.starts_with("Leveret: 4, Sendt: 2"), "{}", bar.summary);
    }

    #[test]
    fn nothing_waits_when_every_message_has_ended() {
        let bar = DeliveryBar::from_tally(Tally { sent: 1, failed: 1, ..Tally::default() });
        assert!(!bar.waiting);
        assert!(!DeliveryBar::from_tally(Tally::default()).waiting);
    }
}
