//! Sending at a channel's pace. A gateway that takes N requests a second
//! answers the one after with 429; sending anyway burns attempts and time.
//! A [`Paced`] transport spaces its sends 1/N s apart for every task of the
//! process that sends through it (there is one per tenant and channel), and
//! after a 429 holds every send until the wait the gateway asked for is over.
//!
//! The pace is kept per process: several processes on one PostgreSQL
//! database each keep it, so together they may send N times the process
//! count a second. The gateway's 429 with its `Retry-After` then slows them
//! down, without counting as a failure.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::{Channel, Outgoing, SendError, Sent, Transport};

/// Longest a send waits in place for its slot. A later slot is not taken:
/// the message is handed back as [`SendError::Throttled`], so its job waits
/// in the queue instead of holding a worker.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

/// Sends are spaced this much wider than 1/N s. A gateway counts arrivals in
/// a sliding second, and one send delayed on the way more than the one N
/// sends after it would put N+1 into a second: 5 % leaves 50 ms for that.
const MARGIN: f64 = 1.05;

/// Evenly spaced send slots, shared by whoever sends through one channel.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    /// When the next send may start.
    next: Mutex<Instant>,
}

impl Pacer {
    /// `None` unless `rate` is a positive number.
    pub fn per_second(rate: f64) -> Option<Pacer> {
        (rate.is_finite() && rate > 0.0)
            .then(|| Pacer { interval: Duration::from_secs_f64(MARGIN / rate), next: Mutex::new(Instant::now()) })
    }

    /// Takes the next slot if it starts within `max_wait`, returning how long
    /// to wait for it; otherwise takes nothing and returns how long until the
    /// next free slot. Slots are spaced evenly with no burst, so no window of
    /// a second holds more than the rate, even with some jitter on the way.
    pub fn reserve(&self, max_wait: Duration) -> Result<Duration, Duration> {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let start = (*next).max(now);
        let wait = start - now;
        if wait > max_wait {
            return Err(wait);
        }
        *next = start + self.interval;
        Ok(wait)
    }

    /// No slot starts before `wait` from now (the gateway asked for it).
    pub fn hold(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        *next = (*next).max(until);
    }
}

/// A transport that keeps its channel's pace.
pub struct Paced {
    inner: Arc<dyn Transport>,
    pacer: Pacer,
}

impl Paced {
    pub fn new(inner: Arc<dyn Transport>, pacer: Pacer) -> Self {
        Paced { inner, pacer }
    }
}

#[async_trait]
impl Transport for Paced {
    fn channel(&self) -> Channel {
        self.inner.channel()
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        if !message.recipient.has_address_for(self.channel()) {
            // Refused without a request: no slot is used up.
            return self.inner.send(message).await;
        }
        let wait = self.pacer.reserve(MAX_WAIT).map_err(SendError::Throttled)?;
        tokio::time::sleep(wait).await;
        let result = self.inner.send(message).await;
        if let Err(SendError::Throttled(wait)) = &result {
            self.pacer.hold(*wait);
        }
        result
    }
}

/// The transport, paced at `per_second` sends a second when that is given
/// (and positive).
pub fn paced(transport: Arc<dyn Transport>, per_second: Option<f64>) -> Arc<dyn Transport> {
    match per_second.and_then(Pacer::per_second) {
        Some(pacer) => Arc::new(Paced::new(transport, pacer)),
        None => transport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn no_pace_for_a_rate_that_is_not_positive() {
        assert!(Pacer::per_second(0.0).is_none());
        assert!(Pacer::per_second(-3.0).is_none());
        assert!(Pacer::per_second(f64::NAN).is_none());
        assert!(Pacer::per_second(0.5).is_some());
    }

    #[test]
    fn slots_are_spaced_evenly_and_far_ones_are_not_taken() {
        // 10 a second: 105 ms apart (the margin for jitter).
        let pacer = Pacer::per_second(10.0).unwrap();
        let waits: Vec<Duration> = (0..3).map(|_| pacer.reserve(MAX_WAIT).unwrap()).collect();
        assert!(waits[0] <= 5 * MS, "{waits:?}");
        assert!(waits[1] > 95 * MS && waits[1] <= 105 * MS, "{waits:?}");
        assert!(waits[2] > 200 * MS && waits[2] <= 210 * MS, "{waits:?}");
        let refused = pacer.reserve(100 * MS).unwrap_err();
        assert!(refused > 305 * MS && refused <= 315 * MS, "{refused:?}");
        // Nothing was taken by the refusal: the same slot is offered again.
        let taken = pacer.reserve(MAX_WAIT).unwrap();
        assert!(taken > 305 * MS && taken <= 315 * MS, "{taken:?}");
    }

    #[test]
    fn a_hold_moves_every_later_slot() {
        let pacer = Pacer::per_second(1000.0).unwrap();
        pacer.hold(Duration::from_secs(1));
        let wait = pacer.reserve(MAX_WAIT).unwrap();
        assert!(wait > 990 * MS && wait <= 1000 * MS, "{wait:?}");
        // A shorter hold never brings the slots forward.
        pacer.hold(10 * MS);
        assert!(pacer.reserve(MAX_WAIT).unwrap() > 990 * MS);
    }

    /// Counts what reaches the gateway; refuses people without a mobile.
    #[derive(Default)]
    struct Gateway(std::sync::atomic::AtomicUsize);

    #[async_trait]
    impl Transport for Gateway {
        fn channel(&self) -> Channel {
            Channel::Sms
        }

        async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
            if message.recipient.mobile.is_none() {
                return Err(SendError::Unreachable("intet mobilnummer".into()));
            }
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Sent { reference: None })
        }
    }

    fn to(mobile: Option<&str>) -> Outgoing {
        Outgoing {
            message_id: uuid::Uuid::new_v4(),
            sms_id: "1".into(),
            recipient: super::super::Recipient {
                cpr: domain::CprNumber::parse("0101801234").unwrap(),
                name: "Søs".into(),
                email: None,
                mobile: mobile.map(|m| domain::Mobile::parse(m).unwrap()),
                exempt_digital_post: false,
            },
            subject: String::new(),
            html: String::new(),
            text: String::new(),
            sms_text: "Hej".into(),
            attachments: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_person_without_an_address_uses_no_slot() {
        let gateway = Arc::new(Gateway::default());
        let paced = Paced::new(gateway.clone(), Pacer::per_second(1.0).unwrap());
        for _ in 0..5 {
            assert!(matches!(paced.send(&to(None)).await, Err(SendError::Unreachable(_))));
        }
        let started = Instant::now();
        paced.send(&to(Some("12345678"))).await.unwrap();
        assert!(started.elapsed() < 100 * MS, "the first real send did not wait for slots nobody used");
        assert_eq!(gateway.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        // The next real one keeps the pace of one a second.
        let started = Instant::now();
        paced.send(&to(Some("12345679"))).await.unwrap();
        assert!(started.elapsed() >= 1000 * MS, "{:?}", started.elapsed());
        assert_eq!(gateway.0.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
