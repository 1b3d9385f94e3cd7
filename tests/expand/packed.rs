// Packed on both sides: every value moves by copy, no reference to a field is ever taken.
#[derive(CrCopy)]
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
