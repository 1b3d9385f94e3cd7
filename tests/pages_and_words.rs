//! Issue 20's shapes on structs of the kind kvm-bindings and vm-superio have: registers at byte offsets of a
//! page (`kvm_lapic_state.regs`), named bits on a copied word (`kvm_pit_state2.flags`), padding on both
//! sides (`pad`), and a nested live struct that is not `Copy` (vm-superio's `SerialState` holds a `Vec`).

use cr_core::{CrCopy, ErrorKind, Layout, LayoutTable};

/// `kvm_lapic_state`: the APIC's registers in a byte array.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Lapic {
    pub regs: [i8; 1024],
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq)]
#[cr(target = Lapic)]
pub struct LapicHeader {
    /// The APIC ID, bits 31:24.
    #[cr(path = "regs[0x20..0x24]")]
    pub id: u32,
    #[cr(path = "regs[0x80..0x84]", strict_mask = 0xff)]
    pub tpr: u32,
    /// The spurious-interrupt vector register, its enable bit named.
    #[cr(path = "regs[0xf0..0xf4]", mask = 0x13ff)]
    pub svr: u32,
    /// The timer's divide configuration: the bits of a copied word, by name.
    #[cr(
        path = "regs[0x3e0..0x3e4]",
        flag(bit = 0, name = "DIV0"),
        flag(bit = 1, name = "DIV1"),
        flag(bit = 3, name = "DIV2")
    )]
    pub timer_divide: u32,
}

fn page() -> Lapic {
    let mut regs = [0i8; 1024];
    // Registers are words in this machine's byte order (x86's page is little-endian; the test runs
    // on s390x too).
    regs[0x20..0x24].copy_from_slice(&[0, 0, 0, 1].map(|b: u8| b as i8)); // ID 1 in bits 31:24 (little-endian)
    regs[0x80..0x84].copy_from_slice(&0x20u32.to_ne_bytes().map(|b| b as i8));
    regs[0xf0..0xf4].copy_from_slice(&0x01ffu32.to_ne_bytes().map(|b| b as i8));
    regs[0x3e0..0x3e4].copy_from_slice(&0b1011u32.to_ne_bytes().map(|b| b as i8));
    Lapic { regs }
}

#[test]
fn registers_at_byte_offsets_round_trip_by_name() {
    let live = page();
    let mut hdr = LapicHeader::default();
    hdr.save(&live);
    assert_eq!(hdr.id, u32::from_ne_bytes([0, 0, 0, 1]));
    assert_eq!((hdr.tpr, hdr.svr), (0x20, 0x01ff));
    assert_eq!(hdr.timer_divide, LapicHeader::TIMER_DIVIDE_ALL);
    let mut back = Lapic { regs: [0; 1024] };
    // Bits outside svr's mask: kept.
    back.regs[0xf0..0xf4].copy_from_slice(&0x007f_0000u32.to_ne_bytes().map(|b| b as i8));
    hdr.restore(&mut back).unwrap();
    assert_eq!(&back.regs[0x20..0x24], &live.regs[0x20..0x24]);
    assert_eq!(
        (&back.regs[0x80..0x84], &back.regs[0x3e0..0x3e4]),
        (&live.regs[0x80..0x84], &live.regs[0x3e0..0x3e4])
    );
    assert_eq!(
        u32::from_ne_bytes(std::array::from_fn(|i| back.regs[0xf0 + i] as u8)),
        0x007f_01ff
    );
    // Nothing else of the page was touched.
    assert!(back.regs[0x84..0xf0].iter().all(|b| *b == 0));
}

#[test]
fn a_register_is_refused_by_its_name() {
    let mut hdr = LapicHeader::default();
    hdr.save(&page());
    hdr.tpr = 0x120;
    let mut back = page();
    let e = hdr.restore(&mut back).unwrap_err();
    assert_eq!(
        e.to_string(),
        "header field `tpr` (live `regs[0x80..0x84]`) has bits 0x100 set outside its strict mask"
    );
    hdr.tpr = 0x20;
    hdr.timer_divide |= 1 << 2;
    let e = hdr.restore(&mut back).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownFlags { bits: 4 });
    assert_eq!(
        e.to_string(),
        "header field `timer_divide` (live `regs[0x3e0..0x3e4]`) has flag bits 0x4 set that no flag declares"
    );
    assert_eq!(back, page());
}

#[test]
fn the_table_names_each_register_and_its_bits() {
    let table = LayoutTable::<LapicHeader>::new().to_string();
    assert!(table.contains("regs[0x80..0x84] (mask 0xff)"), "{table}");
    assert!(table.contains("bit 3 DIV2"), "{table}");
    let row = &<LapicHeader as Layout>::FIELDS[3];
    assert_eq!((row.path, row.mode.name()), (Some("regs[0x3e0..0x3e4]"), "flags"));
}

/// `kvm_pit_state2`-shaped: a word with named bits, and padding on both sides.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pit {
    pub count: u32,
    pub flags: u32,
    pub reserved: [u32; 9],
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq)]
#[cr(target = Pit, cover(Pit = ""))]
pub struct PitHeader {
    #[cr(path = "count")]
    pub count: u32,
    #[cr(
        path = "flags",
        flag(bit = 0, name = "HPET_LEGACY"),
        flag(bit = 1, name = "SPEAKER_DATA_ON")
    )]
    pub flags: u32,
    /// Padding in both: declared once, covered, saved as zero, zeroed by restore.
    #[cr(path = "reserved", reserved)]
    pub reserved: [u32; 9],
}

#[test]
fn named_bits_and_padding_on_both_sides() {
    assert_eq!(
        (
            PitHeader::FLAGS_HPET_LEGACY,
            PitHeader::FLAGS_SPEAKER_DATA_ON,
            PitHeader::FLAGS_ALL
        ),
        (1, 2, 3)
    );
    let live = Pit {
        count: 7,
        flags: 1,
        reserved: [0xff; 9], // whatever the kernel left there
    };
    let mut hdr = PitHeader::default();
    hdr.save(&live);
    assert_eq!(
        hdr,
        PitHeader {
            count: 7,
            flags: 1,
            reserved: [0; 9]
        }
    );
    let mut back = live;
    hdr.restore(&mut back).unwrap();
    assert_eq!(
        back,
        Pit {
            count: 7,
            flags: 1,
            reserved: [0; 9]
        }
    );

    hdr.flags = 0x10;
    assert_eq!(
        hdr.restore(&mut back).unwrap_err().kind(),
        ErrorKind::UnknownFlags { bits: 0x10 }
    );
    hdr.flags = 1;
    hdr.reserved[8] = 1;
    let e = hdr.restore(&mut back).unwrap_err();
    assert_eq!(
        e.to_string(),
        "header field `reserved` (live `reserved`) is reserved but not zero"
    );
}

/// vm-superio's `SerialState`-shaped: a FIFO in a `Vec`, so not `Copy`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SerialState {
    pub ier: u8,
    pub lcr: u8,
    pub fifo: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Device {
    pub base: u16,
    pub state: SerialState,
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq)]
#[cr(target = SerialState, validate = fifo_fits)]
pub struct SerialHeader {
    #[cr(path = "ier", strict_mask = 0x0f)]
    pub ier: u8,
    #[cr(path = "lcr")]
    pub lcr: u8,
    #[cr(skip)]
    pub fifo_len: u8,
}

fn fifo_fits(_: &SerialHeader, live: &SerialState) -> Result<(), cr_core::Error> {
    match live.fifo.len() <= 64 {
        true => Ok(()),
        false => Err(cr_core::Error::invalid("fifo_len", "longer than the device's FIFO")),
    }
}

#[derive(CrCopy, Default)]
#[cr(target = Device)]
pub struct DeviceHeader {
    #[cr(path = "base")]
    pub base: u16,
    #[cr(path = "state", nested)]
    pub state: SerialHeader,
}

#[test]
fn a_nested_live_struct_need_not_be_copy() {
    let live = Device {
        base: 0x3f8,
        state: SerialState {
            ier: 0x01,
            lcr: 0x03,
            fifo: vec![b'h', b'i'],
        },
    };
    let mut hdr = DeviceHeader::default();
    hdr.save(&live);
    assert_eq!((hdr.base, hdr.state.ier, hdr.state.lcr), (0x3f8, 1, 3));
    let mut back = Device::default();
    back.state.fifo = vec![1, 2, 3];
    hdr.restore(&mut back).unwrap();
    assert_eq!((back.base, back.state.ier, back.state.lcr), (0x3f8, 1, 3));
    assert_eq!(
        back.state.fifo,
        [1, 2, 3],
        "a field the header does not map is left alone"
    );
    hdr.state.ier = 0x10;
    let e = hdr.restore(&mut back).unwrap_err();
    assert_eq!(
        e.to_string(),
        "header field `state.ier` (live `state.ier`) has bits 0x10 set outside its strict mask"
    );
}

/// A reserved slot of a register page, declared once: saved as zeros, refused unless zero by its name,
/// and zeroed in the live page by restore (the derive once left the zeros' type to inference there).
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq)]
#[cr(target = Lapic)]
pub struct LapicReserved {
    #[cr(path = "regs[0x80..0x84]")]
    pub tpr: u32,
    /// 0xA4..0xB0 is reserved in the APIC's page.
    #[cr(path = "regs[0xa4..0xb0]", reserved)]
    pub reserved_a4: [u8; 12],
}

#[test]
fn a_reserved_range_of_a_page_is_zero_on_both_sides() {
    let mut live = page();
    live.regs[0xa4..0xb0].fill(7); // what a reader must not carry over
    let mut hdr = LapicReserved::default();
    hdr.save(&live);
    assert_eq!(hdr.reserved_a4, [0; 12], "saved as zeros, whatever the live page holds");
    let mut back = live;
    hdr.restore(&mut back).unwrap();
    assert!(
        back.regs[0xa4..0xb0].iter().all(|b| *b == 0),
        "restore zeroes the live range"
    );
    assert_eq!(&back.regs[0x80..0x84], &live.regs[0x80..0x84]);
    hdr.reserved_a4[5] = 1;
    let before = back;
    let e = hdr.restore(&mut back).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReservedNotZero);
    assert_eq!((e.field(), e.path()), (Some("reserved_a4"), Some("regs[0xa4..0xb0]")));
    assert_eq!(back, before, "a refused restore writes nothing");
}
