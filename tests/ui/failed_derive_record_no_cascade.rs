use cr_core::image::{Reader, Writer};
use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

// One mistake in a record header: the image code that uses it adds no error of its own.
#[derive(CrCopy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Live, record = 3)]
pub struct Hdr {
    #[cr(path = "ksp", save_onl)]
    pub ksp: u64,
}

pub fn round_trip(hdr: &Hdr) -> Result<Hdr, cr_core::Error> {
    let mut image = Writer::new(Vec::new(), 1)?;
    image.write(0, hdr)?;
    let bytes = image.finish()?;
    let mut reader = Reader::new(&bytes, 1)?;
    let (_, back) = reader.read::<Hdr>()?;
    Ok(back)
}

fn main() {}
