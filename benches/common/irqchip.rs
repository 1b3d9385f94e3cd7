//! The bindgen-shaped benchmark subject (issue 19): kvm-bindings' own `kvm_irqchip`, a tagged union
//! (`chip_id` 0 and 1 select `chip.pic`, 2 selects `chip.ioapic`) whose IOAPIC member holds 24 redirection
//! entries, each a union of a `u64` and bindgen's bitfield struct, mapped through its accessors. The
//! header is this file's (over a newtype, which the benchmark traits need: `kvm_irqchip` is neither
//! `PartialEq` nor `Debug`); its nested headers are the fixtures' (`cr::kvm_x86_64`), their validators
//! included. The hand-written twin reads the union's members from its bytes with zerocopy and the bitfields
//! through the same accessors, as a careful engineer would without cr (no `unsafe` either way).

use cr::kvm_x86_64::{
    validate_pic, validate_redir, CrHdrKvmIoapic, CrHdrKvmPic, CrHdrKvmRedirEntry, ELCR_MASKS, IOAPIC_BASE,
};
use cr_core::__private::route;
use cr_core::{CrCopy, Error, ErrorKind, Layout, Value};
use kvm_bindings::{
    kvm_ioapic_state, kvm_ioapic_state__bindgen_ty_1, kvm_ioapic_state__bindgen_ty_1__bindgen_ty_1 as RedirFields,
    kvm_irqchip, kvm_pic_state,
};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// `kvm_irqchip`, compared and printed by its bytes.
#[derive(Clone, Copy)]
pub struct Irqchip(pub kvm_irqchip);

impl PartialEq for Irqchip {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }
}

impl core::fmt::Debug for Irqchip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Irqchip").field(&self.0.as_bytes()).finish()
    }
}

/// The interrupt controller, as `cr::kvm_x86_64::CrHdrKvmIrqchip` maps it (without its validator).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Irqchip)]
pub struct IrqchipHeader {
    #[cr(path = "0.chip_id")]
    pub chip_id: u32,
    #[cr(reserved)]
    pub pad: u32,
    #[cr(path = "0.chip.pic", nested, when(chip_id = 0 | 1))]
    pub pic: CrHdrKvmPic,
    #[cr(path = "0.chip.ioapic", nested, when(chip_id = 2))]
    pub ioapic: CrHdrKvmIoapic,
}

/// The IOAPIC of a VM whose guest programmed its pins: varied vectors, modes and flags.
pub fn sample() -> Irqchip {
    let mut ioapic = kvm_ioapic_state::new_zeroed();
    ioapic.base_address = IOAPIC_BASE;
    ioapic.ioregsel = 0x10;
    ioapic.id = 2;
    ioapic.irr = 0x0000_0102;
    for (i, entry) in ioapic.redirtbl.iter_mut().enumerate() {
        let mut f = RedirFields::new_zeroed();
        f.vector = 0x30 + i as u8;
        f.set_delivery_mode((i % 3) as u8);
        f.set_dest_mode((i % 2) as u8);
        f.set_polarity(((i / 2) % 2) as u8);
        f.set_trig_mode(((i / 3) % 2) as u8);
        f.set_mask((i >= 16) as u8);
        f.dest_id = (i % 4) as u8;
        entry.fields = f; // a write to a union field is safe Rust
    }
    let mut chip = kvm_irqchip::new_zeroed();
    chip.chip_id = 2;
    chip.chip.ioapic = ioapic;
    Irqchip(chip)
}

/// A chip to restore into: the master PIC, so restore switches the member.
pub fn default_live() -> Irqchip {
    let mut chip = kvm_irqchip::new_zeroed();
    let mut pic = kvm_pic_state::new_zeroed();
    pic.elcr_mask = ELCR_MASKS[0];
    chip.chip.pic = pic;
    Irqchip(chip)
}

/// The union's bytes, after the tag and the pad.
fn member_bytes(live: &kvm_irqchip) -> &[u8] {
    &live.as_bytes()[8..]
}

/// Live -> header.
pub fn save(h: &mut IrqchipHeader, live: &Irqchip) {
    let live = &live.0;
    h.chip_id = live.chip_id;
    h.pad = 0;
    match live.chip_id {
        0 | 1 => {
            let p = kvm_pic_state::read_from_prefix(member_bytes(live))
                .map_or_else(|_| FromZeros::new_zeroed(), |(p, _)| p);
            h.pic = CrHdrKvmPic {
                last_irr: p.last_irr,
                irr: p.irr,
                imr: p.imr,
                isr: p.isr,
                priority_add: p.priority_add,
                irq_base: p.irq_base,
                read_reg_select: p.read_reg_select,
                poll: p.poll,
                special_mask: p.special_mask,
                init_state: p.init_state,
                auto_eoi: p.auto_eoi,
                rotate_on_auto_eoi: p.rotate_on_auto_eoi,
                special_fully_nested_mode: p.special_fully_nested_mode,
                init4: p.init4,
                elcr: p.elcr,
                elcr_mask: p.elcr_mask,
            };
        }
        _ => h.pic = FromZeros::new_zeroed(),
    }
    match live.chip_id {
        2 => {
            let io = kvm_ioapic_state::read_from_prefix(member_bytes(live))
                .map_or_else(|_| FromZeros::new_zeroed(), |(io, _)| io);
            let o = &mut h.ioapic;
            o.base_address = io.base_address;
            o.ioregsel = io.ioregsel;
            o.id = io.id;
            o.irr = io.irr;
            o.pad = 0;
            for (dst, src) in o.redirtbl.iter_mut().zip(io.redirtbl.iter()) {
                let f = RedirFields::read_from_bytes(src.as_bytes()).unwrap_or_else(|_| FromZeros::new_zeroed());
                *dst = CrHdrKvmRedirEntry {
                    vector: f.vector,
                    delivery_mode: f.delivery_mode(),
                    flags: u8::from(f.dest_mode() != 0)
                        | u8::from(f.delivery_status() != 0) << 1
                        | u8::from(f.polarity() != 0) << 2
                        | u8::from(f.remote_irr() != 0) << 3
                        | u8::from(f.trig_mode() != 0) << 4
                        | u8::from(f.mask() != 0) << 5,
                    reserve: f.reserve(),
                    reserved: f.reserved,
                    dest_id: f.dest_id,
                };
            }
        }
        _ => h.ioapic = FromZeros::new_zeroed(),
    }
}

fn mask8(value: u8, valid: u8, field: &'static str, path: &'static str) -> Result<(), Error> {
    match value & !valid {
        0 => Ok(()),
        bits => Err(Error::new(ErrorKind::MaskViolation { bits: u64::from(bits) }).at(field, Some(path))),
    }
}

fn mask32(value: u32, valid: u32, field: &'static str, path: &'static str) -> Result<(), Error> {
    match value & !valid {
        0 => Ok(()),
        bits => Err(Error::new(ErrorKind::MaskViolation { bits: u64::from(bits) }).at(field, Some(path))),
    }
}

fn check_pic(p: &CrHdrKvmPic) -> Result<(), Error> {
    mask8(p.priority_add, 7, "priority_add", "priority_add")?;
    mask8(p.irq_base, 0xf8, "irq_base", "irq_base")?;
    mask8(p.read_reg_select, 1, "read_reg_select", "read_reg_select")?;
    mask8(p.poll, 1, "poll", "poll")?;
    mask8(p.special_mask, 1, "special_mask", "special_mask")?;
    mask8(p.init_state, 3, "init_state", "init_state")?;
    mask8(p.auto_eoi, 1, "auto_eoi", "auto_eoi")?;
    mask8(p.rotate_on_auto_eoi, 1, "rotate_on_auto_eoi", "rotate_on_auto_eoi")?;
    mask8(
        p.special_fully_nested_mode,
        1,
        "special_fully_nested_mode",
        "special_fully_nested_mode",
    )?;
    mask8(p.init4, 1, "init4", "init4")?;
    validate_pic(p, &kvm_pic_state::new_zeroed()).map_err(cr_core::__private::locate::<CrHdrKvmPic>)
}

const REDIR_FLAGS: u8 = 0x3f;

fn check_redir(r: &CrHdrKvmRedirEntry) -> Result<(), Error> {
    mask8(r.delivery_mode, 7, "delivery_mode", "fields.delivery_mode()")?;
    if r.flags & !REDIR_FLAGS != 0 {
        let bits = u64::from(r.flags & !REDIR_FLAGS);
        return Err(Error::new(ErrorKind::UnknownFlags { bits }).at("flags", None));
    }
    mask8(r.reserve, 0, "reserve", "fields.reserve()")?;
    validate_redir(r, &kvm_ioapic_state__bindgen_ty_1 { bits: 0 })
        .map_err(cr_core::__private::locate::<CrHdrKvmRedirEntry>)
}

fn check_ioapic(o: &CrHdrKvmIoapic) -> Result<(), Error> {
    mask32(o.ioregsel, 0xff, "ioregsel", "ioregsel")?;
    mask32(o.id, 0xf, "id", "id")?;
    mask32(o.irr, 0x00ff_ffff, "irr", "irr")?;
    if o.pad != 0 {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("pad", None));
    }
    let row = &<CrHdrKvmIoapic as Layout>::FIELDS[5];
    for (i, r) in o.redirtbl.iter().enumerate() {
        check_redir(r).map_err(|e| route(e, row, Some(i)))?;
    }
    Ok(())
}

fn zero<T: IntoBytes + Immutable>(value: &T) -> bool {
    value.as_bytes().iter().all(|b| *b == 0)
}

/// Header -> live: every check (the tag, the live member's checks, the inactive member's zeros), then the
/// writes of the live member, through its accessors.
pub fn restore(h: &IrqchipHeader, live: &mut Irqchip) -> Result<(), Error> {
    let rows = <IrqchipHeader as Layout>::FIELDS;
    let (pic, ioapic) = (matches!(h.chip_id, 0 | 1), h.chip_id == 2);
    if !pic && !ioapic {
        let tag = Value::Unsigned(u64::from(h.chip_id));
        return Err(Error::new(ErrorKind::UnknownVariant { tag }).at("chip_id", Some("0.chip_id")));
    }
    if h.pad != 0 {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("pad", None));
    }
    let inactive = || {
        Error::new(ErrorKind::InactiveVariant {
            tag: Value::Unsigned(u64::from(h.chip_id)),
        })
    };
    if pic {
        check_pic(&h.pic).map_err(|e| route(e, &rows[2], None))?;
    } else if !zero(&h.pic) {
        return Err(inactive().at("pic", None));
    }
    if ioapic {
        check_ioapic(&h.ioapic).map_err(|e| route(e, &rows[3], None))?;
    } else if !zero(&h.ioapic) {
        return Err(inactive().at("ioapic", None));
    }

    live.0.chip_id = h.chip_id;
    if pic {
        let p = &h.pic;
        live.0.chip.pic = kvm_pic_state {
            last_irr: p.last_irr,
            irr: p.irr,
            imr: p.imr,
            isr: p.isr,
            priority_add: p.priority_add,
            irq_base: p.irq_base,
            read_reg_select: p.read_reg_select,
            poll: p.poll,
            special_mask: p.special_mask,
            init_state: p.init_state,
            auto_eoi: p.auto_eoi,
            rotate_on_auto_eoi: p.rotate_on_auto_eoi,
            special_fully_nested_mode: p.special_fully_nested_mode,
            init4: p.init4,
            elcr: p.elcr,
            elcr_mask: p.elcr_mask,
        };
    }
    if ioapic {
        let o = &h.ioapic;
        let mut io = kvm_ioapic_state::read_from_prefix(member_bytes(&live.0))
            .map_or_else(|_| FromZeros::new_zeroed(), |(io, _)| io);
        io.base_address = o.base_address;
        io.ioregsel = o.ioregsel;
        io.id = o.id;
        io.irr = o.irr;
        for (dst, r) in io.redirtbl.iter_mut().zip(o.redirtbl.iter()) {
            let mut f = RedirFields::read_from_bytes(dst.as_bytes()).unwrap_or_else(|_| FromZeros::new_zeroed());
            f.vector = r.vector;
            f.set_delivery_mode(r.delivery_mode);
            f.set_dest_mode(r.flags & 1);
            f.set_delivery_status((r.flags >> 1) & 1);
            f.set_polarity((r.flags >> 2) & 1);
            f.set_remote_irr((r.flags >> 3) & 1);
            f.set_trig_mode((r.flags >> 4) & 1);
            f.set_mask((r.flags >> 5) & 1);
            f.set_reserve(r.reserve);
            f.reserved = r.reserved;
            f.dest_id = r.dest_id;
            dst.fields = f;
        }
        live.0.chip.ioapic = io;
    }
    Ok(())
}
