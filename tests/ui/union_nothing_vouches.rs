use cr_core::CrCopy;

#[derive(Clone, Copy, cr_core::zerocopy::FromBytes)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub struct Words {
    pub atmid: u16,
    pub address: u64,
}

// Neither zerocopy's `IntoBytes` nor a `cr_core::InitializedUnion` promise vouches for its bytes.
#[derive(Clone, Copy)]
#[repr(C)]
pub union Lowcore {
    pub words: Words,
    pub raw: [u64; 2],
}

pub struct Live {
    pub lowcore: Lowcore,
}

#[derive(CrCopy)]
#[cr(target = Live, union = "lowcore")]
pub struct Hdr {
    #[cr(path = "lowcore.words.address")]
    pub address: u64,
}

fn main() {}
