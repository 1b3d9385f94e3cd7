// Packed on both sides: every value moves by copy, no reference to a field is ever taken.
use cr_core::CrCopy;

#[derive(Clone, Copy, Default)]
#[repr(C, packed)]
pub struct Channel {
    pub head: u16,
    pub tail: u16,
}

#[derive(Clone, Copy, Default)]
#[repr(C, packed)]
pub struct Device {
    pub id: u8,
    pub base: u64,
    pub irq: u16,
    pub scale: f32,
    pub enabled: bool,
    pub channels: [Channel; 2],
}

#[derive(CrCopy, Clone, Copy, Default)]
#[repr(C, packed)]
#[cr(target = Channel, cover(Channel = ""))]
pub struct ChannelHeader {
    #[cr(path = "head")]
    pub head: u16,
    #[cr(path = "tail", strict_mask = 0xfff)]
    pub tail: u16,
}

#[derive(CrCopy, Default)]
#[repr(C, packed)]
#[cr(target = Device, cover(Device = ""))]
pub struct DeviceHeader {
    #[cr(path = "id")]
    pub id: u8,
    #[cr(path = "base", mask = !0xfff)]
    pub base: u64,
    #[cr(path = "irq", convert)]
    pub irq: u32,
    #[cr(path = "scale", bits)]
    pub scale: u32,
    #[cr(flag(bit = 0, path = "enabled"))]
    pub flags: u8,
    #[cr(path = "channels", nested)]
    pub channels: [ChannelHeader; 2],
    #[cr(reserved)]
    pub reserved: [u8; 3],
}
