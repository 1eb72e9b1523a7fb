//! Monthly sums on the device, by name: what the coupled and atmosphere-only modes add up
//! between two monthly records (the ocean-only mode sums its global series on the host).
//!
//! The names are the `monthly` entries of the variable tables ([`crate::coupler::variables`]);
//! a step hands its fields over as `(name, tensor)` pairs, which are added to the sum of the
//! same name whatever their order. Besides the grid fields the sums may hold the atmosphere's
//! spectral state, from whose monthly mean the table's derived upper-air fields come
//! ([`crate::atmos::AtmosModel::upper_air`]).
//!
//! A partial month is part of the restart (`sum_<name>`, `sum_spectral`), so a resumed run
//! continues its month exactly; at a month boundary there are no sums to save.

use super::restart::{Field, Restart, RestartError};
use crate::backend::tensor_from_vec;
use burn_tensor::{backend::Backend, Tensor};

/// Sums of named `[1 or nz, ny, nx]` fields (and optionally the spectral atmosphere state),
/// empty at the start of a month.
#[derive(Debug, Clone)]
pub struct MonthlySums<B: Backend> {
    names: Vec<&'static str>,
    sums: Option<Vec<Tensor<B, 3>>>,
    spectral: Option<Tensor<B, 4>>,
    with_spectral: bool,
}

/// The means of one month, by name.
#[derive(Debug, Clone)]
pub struct MonthlyMeans<B: Backend> {
    names: Vec<&'static str>,
    fields: Vec<Tensor<B, 3>>,
    /// The monthly-mean spectral state, when the sums hold it.
    pub spectral: Option<Tensor<B, 4>>,
}

impl<B: Backend> MonthlyMeans<B> {
    /// The mean of `name`.
    ///
    /// # Panics
    /// When `name` is not summed: a programming error (the names come from the tables).
    pub fn get(&self, name: &str) -> Tensor<B, 3> {
        let i = self
            .names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("`{name}` is not one of the monthly sums"));
        self.fields[i].clone()
    }

    /// Every mean with its name, in the sums' order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Tensor<B, 3>)> + '_ {
        self.names.iter().copied().zip(&self.fields)
    }
}

impl<B: Backend> MonthlySums<B> {
    /// Empty sums of `names` (and of the spectral state when `with_spectral`).
    pub fn new(names: Vec<&'static str>, with_spectral: bool) -> Self {
        Self {
            names,
            sums: None,
            spectral: None,
            with_spectral,
        }
    }

    /// The summed names, in order.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// True at the start of a month (nothing added yet).
    pub fn is_empty(&self) -> bool {
        self.sums.is_none()
    }

    /// Adds one sample: every summed name must be among `fields` (extra fields are ignored).
    ///
    /// # Panics
    /// When a summed name is missing from `fields`: a programming error.
    pub fn add(
        &mut self,
        fields: Vec<(&'static str, Tensor<B, 3>)>,
        spectral: Option<Tensor<B, 4>>,
    ) {
        let mut fields: Vec<Option<(&str, Tensor<B, 3>)>> = fields.into_iter().map(Some).collect();
        let mut take = |name: &str| {
            fields
                .iter_mut()
                .find(|f| f.as_ref().is_some_and(|(n, _)| *n == name))
                .and_then(Option::take)
                .map(|(_, t)| t)
                .unwrap_or_else(|| panic!("no field `{name}` to add to the monthly sums"))
        };
        let list: Vec<Tensor<B, 3>> = self.names.iter().map(|n| take(n)).collect();
        self.sums = Some(match self.sums.take() {
            None => list,
            Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
        });
        if self.with_spectral {
            let x = spectral.expect("these sums hold the spectral state");
            self.spectral = Some(match self.spectral.take() {
                None => x,
                Some(s) => s + x,
            });
        }
    }

    /// The means over `samples` samples; a complete month empties the sums, a partial one
    /// (a run that ends inside a month) keeps them for the end restart.
    ///
    /// # Panics
    /// When nothing was added.
    pub fn means(&mut self, samples: f64, complete: bool) -> MonthlyMeans<B> {
        let (sums, spectral) = if complete {
            (self.sums.take(), self.spectral.take())
        } else {
            (self.sums.clone(), self.spectral.clone())
        };
        MonthlyMeans {
            names: self.names.clone(),
            fields: sums
                .expect("a month has samples")
                .into_iter()
                .map(|x| x / samples)
                .collect(),
            spectral: spectral.map(|x| x / samples),
        }
    }

    /// The restart fields of a partial month: `sum_<name>` and `sum_spectral` (none when
    /// empty).
    pub fn restart_fields(&self) -> Vec<Field> {
        let mut v: Vec<Field> = self
            .sums
            .iter()
            .flatten()
            .zip(&self.names)
            .map(|(t, n)| Field::of(&format!("sum_{n}"), t))
            .collect();
        if let Some(s) = &self.spectral {
            v.push(Field::of("sum_spectral", s));
        }
        v
    }

    /// The sums of restart `r` (empty when it was written at a month boundary). Their
    /// shapes are the restart's: a restart is read only after its physics fingerprint, which
    /// includes the resolution, matched the run's ([`super::restart`]), so they are the
    /// model's.
    ///
    /// # Errors
    /// [`RestartError::Corrupt`] when the restart has some partial sums but not all of
    /// them, or a sum of the wrong rank.
    pub fn restore(&mut self, r: &Restart, device: &B::Device) -> Result<(), RestartError> {
        self.sums = None;
        self.spectral = None;
        if !r.fields.iter().any(|f| f.name.starts_with("sum_")) {
            return Ok(());
        }
        let corrupt = |detail: String| RestartError::Corrupt {
            path: r.path.clone(),
            detail,
        };
        let get = |name: &str| {
            r.fields.iter().find(|f| f.name == name).ok_or_else(|| {
                corrupt(format!(
                    "it holds partial monthly sums but not `{name}`: a restart inside a month \
                     continues only with the outputs of the version that wrote it"
                ))
            })
        };
        let mut v = Vec::with_capacity(self.names.len());
        for n in &self.names {
            let f = get(&format!("sum_{n}"))?;
            let shape: [usize; 3] = f
                .shape
                .clone()
                .try_into()
                .map_err(|_| corrupt(format!("sum_{n} has shape {:?}, not 3-D", f.shape)))?;
            v.push(tensor_from_vec::<B, 3>(f.values.clone(), shape, device));
        }
        self.sums = Some(v);
        if self.with_spectral {
            let f = get("sum_spectral")?;
            let shape: [usize; 4] =
                f.shape.clone().try_into().map_err(|_| {
                    corrupt(format!("sum_spectral has shape {:?}, not 4-D", f.shape))
                })?;
            self.spectral = Some(tensor_from_vec::<B, 4>(f.values.clone(), shape, device));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};

    fn t(x: f64) -> Tensor<Cpu64, 3> {
        tensor_from_vec(vec![x, 2.0 * x], [1, 1, 2], &Default::default())
    }

    #[test]
    fn fields_are_added_by_name_whatever_their_order() {
        let mut s = MonthlySums::<Cpu64>::new(vec!["a", "b"], false);
        assert!(s.is_empty());
        s.add(vec![("b", t(10.0)), ("a", t(1.0)), ("extra", t(5.0))], None);
        s.add(vec![("a", t(3.0)), ("b", t(30.0))], None);
        let partial = s.means(2.0, false);
        assert_eq!(to_vec_f64(partial.get("a")), [2.0, 4.0]);
        assert_eq!(to_vec_f64(partial.get("b")), [20.0, 40.0]);
        assert!(!s.is_empty(), "a partial month keeps its sums");
        let names: Vec<_> = s.restart_fields().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["sum_a", "sum_b"]);
        let _ = s.means(2.0, true);
        assert!(s.is_empty(), "a complete month empties them");
        assert!(s.restart_fields().is_empty());
    }

    #[test]
    #[should_panic(expected = "no field `b`")]
    fn a_missing_field_is_a_programming_error() {
        let mut s = MonthlySums::<Cpu64>::new(vec!["a", "b"], false);
        s.add(vec![("a", t(1.0))], None);
    }
}
