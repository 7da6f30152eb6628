//! Environment variables (`env_var_*`): this network defines none.
//!
//! Invariant: the count is 0, no name exists, and reading a name or value
//! traps; names passed in are still bounds-checked (and charged) like any
//! heap read.

use wasmi::Error;

use super::host::{C, enter, read_bytes, trap};

pub(super) fn env_var_count(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "env_var_count")?;
    Ok(0)
}

pub(super) fn env_var_name_size(mut c: C<'_>, index: i32) -> Result<i32, Error> {
    enter(&mut c, "env_var_name_size")?;
    Err(no_index("env_var_name_size", index))
}

pub(super) fn env_var_name_copy(
    mut c: C<'_>,
    index: i32,
    _dst: i32,
    _offset: i32,
    _size: i32,
) -> Result<(), Error> {
    enter(&mut c, "env_var_name_copy")?;
    Err(no_index("env_var_name_copy", index))
}

pub(super) fn env_var_name_exists(mut c: C<'_>, src: i32, size: i32) -> Result<i32, Error> {
    enter(&mut c, "env_var_name_exists")?;
    read_bytes(&mut c, src, size, "ic0.env_var_name_exists")?;
    Ok(0)
}

pub(super) fn env_var_value_size(mut c: C<'_>, src: i32, size: i32) -> Result<i32, Error> {
    enter(&mut c, "env_var_value_size")?;
    Err(no_variable(&mut c, "env_var_value_size", src, size))
}

pub(super) fn env_var_value_copy(
    mut c: C<'_>,
    src: i32,
    size: i32,
    _dst: i32,
    _offset: i32,
    _len: i32,
) -> Result<(), Error> {
    enter(&mut c, "env_var_value_copy")?;
    Err(no_variable(&mut c, "env_var_value_copy", src, size))
}

fn no_index(name: &str, index: i32) -> Error {
    trap(format!(
        "ic0.{name}: index {} is out of range (there are no environment variables)",
        index as u32
    ))
}

/// The trap for a value lookup: reads the name at `src`, then names it.
fn no_variable(c: &mut C<'_>, name: &str, src: i32, size: i32) -> Error {
    match read_bytes(c, src, size, &format!("ic0.{name}")) {
        Ok(variable) => trap(format!(
            "ic0.{name}: there is no environment variable {:?}",
            String::from_utf8_lossy(&variable)
        )),
        Err(error) => error,
    }
}
