//! The `noleap` calendar (365-day years, CF `calendar = "noleap"`) of model time.
//!
//! Model time t (s) counts from 0001-01-01 00:00 of the run; output times are
//! `days since 0001-01-01 00:00:00` ([`crate::io::cf::TIME_UNITS`]).

use super::MONTH_DAYS;
use crate::physics::constants::SECONDS_PER_DAY;

/// Seconds in a `noleap` year.
pub use crate::physics::constants::SECONDS_PER_YEAR;

/// A date and time of the `noleap` calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, from 1.
    pub year: u64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
    /// Seconds since midnight, 0–86399.
    pub second: u32,
}

/// Day of the year (from 0) on which each month starts.
pub fn month_start_day(month: u32) -> u32 {
    MONTH_DAYS[..(month as usize - 1)].iter().sum()
}

impl Date {
    /// The date of model time `t` (s since 0001-01-01 00:00), rounded to the nearest second.
    ///
    /// # Panics
    /// When `t` is negative or not finite.
    pub fn of_seconds(t: f64) -> Self {
        assert!(
            t.is_finite() && t >= 0.0,
            "model time {t} s is not a valid time"
        );
        let s = t.round() as u64;
        let day_s = SECONDS_PER_DAY as u64;
        let (days, second) = (s / day_s, (s % day_s) as u32);
        let year = days / 365 + 1;
        let mut doy = (days % 365) as u32;
        let mut month = 1;
        while doy >= MONTH_DAYS[month as usize - 1] {
            doy -= MONTH_DAYS[month as usize - 1];
            month += 1;
        }
        Date {
            year,
            month,
            day: doy + 1,
            second,
        }
    }

    /// Model time (s) of this date.
    pub fn seconds(&self) -> f64 {
        ((self.year - 1) * 365 + u64::from(month_start_day(self.month)) + u64::from(self.day - 1))
            as f64
            * SECONDS_PER_DAY
            + f64::from(self.second)
    }

    /// Model time (s) of the start of this date's month.
    pub fn month_start(&self) -> f64 {
        Date {
            day: 1,
            second: 0,
            ..*self
        }
        .seconds()
    }

    /// Model time (s) of the end of this date's month (the start of the next).
    pub fn month_end(&self) -> f64 {
        self.month_start() + f64::from(MONTH_DAYS[self.month as usize - 1]) * SECONDS_PER_DAY
    }

    /// `YYYY-MM-DD-SSSSS`, the label of restart files (sorts in time order).
    pub fn label(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}-{:05}",
            self.year, self.month, self.day, self.second
        )
    }
}

impl std::fmt::Display for Date {
    /// `YYYY-MM-DD` or `YYYY-MM-DD hh:mm` when not at midnight.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        if self.second != 0 {
            write!(
                f,
                " {:02}:{:02}",
                self.second / 3600,
                (self.second / 60) % 60
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_month_ends() {
        assert_eq!(
            Date::of_seconds(0.0),
            Date {
                year: 1,
                month: 1,
                day: 1,
                second: 0
            }
        );
        // 59 days = 1 March; 365 days = year 2.
        let d = Date::of_seconds(59.0 * 86400.0 + 3600.0);
        assert_eq!((d.year, d.month, d.day, d.second), (1, 3, 1, 3600));
        assert_eq!(Date::of_seconds(365.0 * 86400.0).year, 2);
        let last = Date::of_seconds(364.0 * 86400.0 + 86399.0);
        assert_eq!((last.month, last.day), (12, 31));
        for t in [
            0.0,
            1234.0 * 3600.0,
            99.0 * SECONDS_PER_YEAR + 7.0 * 86400.0,
        ] {
            assert_eq!(Date::of_seconds(t).seconds(), t);
        }
        assert_eq!(d.month_start(), 59.0 * 86400.0);
        assert_eq!(d.month_end(), 90.0 * 86400.0);
        assert_eq!(
            Date::of_seconds(334.0 * 86400.0).month_end(),
            365.0 * 86400.0
        );
        assert_eq!(d.label(), "0001-03-01-03600");
        assert_eq!(d.to_string(), "0001-03-01 01:00");
        assert!(Date::of_seconds(3600.0).label() > Date::of_seconds(0.0).label());
    }
}
