//! Header fields named like the derive's own bindings: `src`, `dst`, `t`, `place`, `validate`,
//! `after_restore`, a `convert` field named `dst` (its checked value must not shadow the
//! `dst` parameter) and raw identifiers; and a user item named like the alias `__cr`.

use cr_core::{CrCopy, ErrorKind, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Live {
    pub src: u16,
    pub dst: u16,
    pub r#type: u8,
    pub t: u32,
    pub place: u32,
    pub loads: u32,
}

fn validate(hdr: &Names, _live: &Live) -> Result<(), cr_core::Error> {
    if hdr.validate == 0xbad {
        return Err(cr_core::Error::invalid("validate", "0xbad"));
    }
    Ok(())
}

fn after_restore(live: &mut Live) {
    live.loads += 1;
}

#[derive(CrCopy, Default, Debug, PartialEq)]
#[cr(target = Live, validate = validate, after_restore = after_restore)]
pub struct Names {
    #[cr(path = "src", convert)]
    pub src: u64,
    #[cr(path = "dst", convert)]
    pub dst: u64,
    #[cr(path = "r#type", convert)]
    pub r#type: u32,
    #[cr(path = "t")]
    pub t: u32,
    #[cr(path = "place")]
    pub place: u32,
    #[cr(skip)]
    pub validate: u32,
    #[cr(skip)]
    pub after_restore: u32,
}

#[test]
fn fields_named_like_generated_bindings_work() {
    let live = Live {
        src: 1,
        dst: 2,
        r#type: 3,
        t: 4,
        place: 5,
        loads: 0,
    };
    let mut hdr = Names::default();
    hdr.save(&live);
    assert_eq!((hdr.src, hdr.dst, hdr.r#type, hdr.t, hdr.place), (1, 2, 3, 4, 5));

    let mut fresh = Live::default();
    hdr.restore(&mut fresh).unwrap();
    assert_eq!(fresh, Live { loads: 1, ..live });

    hdr.dst = 0x1_0000;
    let before = fresh;
    let err = hdr.restore(&mut fresh).unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.path()),
        (
            ErrorKind::OutOfRange {
                value: Value::Unsigned(0x1_0000),
                live_type: "u16"
            },
            Some("dst"),
            Some("dst")
        )
    );
    assert_eq!(fresh, before);

    hdr.dst = 2;
    hdr.validate = 0xbad;
    let err = hdr.restore(&mut fresh).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid { reason: "0xbad" });
    assert_eq!(fresh, before);
}

/// A user module with the name of the derive's alias of `cr_core::__private`. The alias is
/// declared inside the generated `const _` block, so it shadows this module there and nowhere
/// else: the header below compiles, and the module stays reachable beside it.
#[allow(non_snake_case)]
mod __cr {
    pub const MASK: u32 = 0xff;
}

#[derive(CrCopy, Default)]
#[cr(target = Live)]
pub struct BesideAlias {
    #[cr(path = "place", mask = __cr_mask())]
    pub place: u32,
}

const fn __cr_mask() -> u32 {
    __cr::MASK
}

#[test]
fn a_user_item_named_like_the_alias_is_unaffected() {
    let live = Live {
        place: 0x1234,
        ..Live::default()
    };
    let mut hdr = BesideAlias::default();
    hdr.save(&live);
    let mut fresh = Live {
        place: 0xab00,
        ..Live::default()
    };
    hdr.restore(&mut fresh).unwrap();
    assert_eq!(fresh.place, 0xab34);
    assert_eq!(__cr::MASK, 0xff);
}
