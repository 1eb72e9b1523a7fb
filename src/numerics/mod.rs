//! Numerical building blocks that know nothing of any component: stencil shifts on
//! periodic-in-longitude grids, and (in later issues) solvers and time steppers.

pub mod stencil;
