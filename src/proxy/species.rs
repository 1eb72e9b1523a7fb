//! Planktonic foraminifera species of the proxy records, with the names the data files use
//! and their growth-temperature ranges.
//!
//! The ranges pick a species' growth months: the months whose SST lies in the range (BAYMAG
//! `tsget/foramseason.csv`, from Malevich et al. 2019, Paleoceanogr. Paleoclimatol. 34,
//! doi:10.1029/2019PA003576; models/data/proxies/README.md, "Operator notes").

/// A planktonic foraminifera species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Species {
    /// *Globigerinoides ruber* (white and pink).
    Ruber,
    /// *Globigerina bulloides*.
    Bulloides,
    /// *Trilobatus sacculifer* (*Globigerinoides sacculifer*).
    Sacculifer,
    /// *Neogloboquadrina pachyderma* (sinistral).
    Pachyderma,
    /// *Neogloboquadrina incompta* (*N. pachyderma* dextral).
    Incompta,
}

impl Species {
    /// Every species, in a fixed order.
    pub const ALL: [Species; 5] = [
        Species::Ruber,
        Species::Bulloides,
        Species::Sacculifer,
        Species::Pachyderma,
        Species::Incompta,
    ];

    /// The name in the data files, e.g. `G. ruber`.
    pub fn name(self) -> &'static str {
        match self {
            Species::Ruber => "G. ruber",
            Species::Bulloides => "G. bulloides",
            Species::Sacculifer => "T. sacculifer",
            Species::Pachyderma => "N. pachyderma",
            Species::Incompta => "N. incompta",
        }
    }

    /// A short command-line key, e.g. `ruber`.
    pub fn key(self) -> &'static str {
        match self {
            Species::Ruber => "ruber",
            Species::Bulloides => "bulloides",
            Species::Sacculifer => "sacculifer",
            Species::Pachyderma => "pachyderma",
            Species::Incompta => "incompta",
        }
    }

    /// The species of a data-file name or key. Accepts the names of the data files
    /// (`G. ruber`, `G. ruber white`, `G. ruber pink`, `T. sacculifer`, `G. sacculifer`, …)
    /// and the keys, ignoring case.
    ///
    /// # Errors
    /// A message naming the text and the species known.
    pub fn parse(text: &str) -> Result<Species, String> {
        let t = text.trim().to_ascii_lowercase();
        let t = t
            .strip_suffix(" white")
            .or_else(|| t.strip_suffix(" pink"))
            .unwrap_or(&t);
        let t = t.strip_prefix("g. ").unwrap_or(t);
        let t = t
            .strip_prefix("t. ")
            .or_else(|| t.strip_prefix("n. "))
            .unwrap_or(t);
        Species::ALL
            .into_iter()
            .find(|s| s.key() == t)
            .ok_or_else(|| {
                let known: Vec<&str> = Species::ALL.iter().map(|s| s.name()).collect();
                format!("unknown species `{text}`; known: {}", known.join(", "))
            })
    }

    /// The SST range (°C) in which the species grows (module docs).
    pub fn growth_range(self) -> [f64; 2] {
        match self {
            Species::Ruber => [22.5, 31.9],
            Species::Bulloides => [3.6, 29.2],
            Species::Sacculifer => [20.2, 30.6],
            Species::Pachyderma => [-0.9, 15.3],
            Species::Incompta => [6.7, 21.1],
        }
    }
}

impl std::fmt::Display for Species {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_spelling_parses() {
        for (text, s) in [
            ("G. ruber", Species::Ruber),
            ("G. ruber white", Species::Ruber),
            ("G. ruber pink", Species::Ruber),
            ("g. BULLOIDES", Species::Bulloides),
            ("T. sacculifer", Species::Sacculifer),
            ("G. sacculifer", Species::Sacculifer),
            ("N. pachyderma", Species::Pachyderma),
            ("N. incompta", Species::Incompta),
            ("incompta", Species::Incompta),
        ] {
            assert_eq!(Species::parse(text), Ok(s), "{text}");
        }
        for s in Species::ALL {
            assert_eq!(Species::parse(s.name()), Ok(s));
        }
        let e = Species::parse("O. universa").unwrap_err();
        assert!(e.contains("O. universa") && e.contains("G. ruber"), "{e}");
    }
}
