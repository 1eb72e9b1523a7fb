//! The restart variables of a state, declared once per component.
//!
//! Each component's state lists its prognostic tensors with their restart names in one
//! `visit` method (e.g. [`crate::ocean::OceanState::visit`]); a [`FieldVisitor`] walks that
//! list to write the tensors ([`Collect`]) or to replace them by the values a restart holds
//! under the same names ([`crate::run::restart::Restart`]), so restarts are written and read
//! by name from the same declaration, never by position.

use burn_tensor::{backend::Backend, Tensor};

/// Something done to every named tensor of a state.
pub trait FieldVisitor<B: Backend> {
    /// Visits the tensor `t` stored as `name`.
    fn visit<const D: usize>(&mut self, name: &str, t: &mut Tensor<B, D>);
}

/// A named tensor as host values in `f64` (row-major) with its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Variable name.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Values.
    pub values: Vec<f64>,
}

impl Field {
    /// The field of a tensor (read to the host).
    pub fn of<B: Backend, const D: usize>(name: &str, t: &Tensor<B, D>) -> Self {
        Field {
            name: name.into(),
            shape: t.dims().to_vec(),
            values: crate::backend::to_vec_f64(t.clone()),
        }
    }
}

/// Collects every visited tensor as a [`Field`], in visiting order.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Field>);

impl<B: Backend> FieldVisitor<B> for Collect {
    fn visit<const D: usize>(&mut self, name: &str, t: &mut Tensor<B, D>) {
        self.0.push(Field::of(name, t));
    }
}
