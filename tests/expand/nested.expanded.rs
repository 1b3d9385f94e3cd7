#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[automatically_derived]
    impl ::cr_core::Layout for SegmentHeader {
        const NAME: &'static str = "SegmentHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "base",
                path: ::core::option::Option::Some("base"),
                offset: ::core::mem::offset_of!(SegmentHeader, base),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "limit",
                path: ::core::option::Option::Some("limit"),
                offset: ::core::mem::offset_of!(SegmentHeader, limit),
                size: ::core::mem::size_of::<u32>(),
                ty: "u32",
                format: <u32 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "selector",
                path: ::core::option::Option::Some("selector"),
                offset: ::core::mem::offset_of!(SegmentHeader, selector),
                size: ::core::mem::size_of::<u16>(),
                ty: "u16",
                format: <u16 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
            ::cr_core::FieldInfo {
                name: "dpl",
                path: ::core::option::Option::Some("dpl"),
                offset: ::core::mem::offset_of!(SegmentHeader, dpl),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::StrictMask {
                    mask: (3) as u64,
                },
            },
            ::cr_core::FieldInfo {
                name: "pad",
                path: ::core::option::Option::None,
                offset: ::core::mem::offset_of!(SegmentHeader, pad),
                size: ::core::mem::size_of::<u8>(),
                ty: "u8",
                format: <u8 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for SegmentHeader {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Segment> for SegmentHeader {
        fn save(&mut self, src: &Segment) {
            self.base = __cr::Same::save(self.base, src.base);
            self.limit = __cr::Same::save(self.limit, src.limit);
            self.selector = __cr::Same::save(self.selector, src.selector);
            self.dpl = __cr::Same::save(self.dpl, src.dpl);
            self.pad = __cr::FromZeros::new_zeroed();
        }
        fn restore(
            &self,
            dst: &mut Segment,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Segment> for SegmentHeader {
        #[inline]
        fn check(&self, dst: &Segment) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::check_mask(self.dpl, 3, "dpl", "dpl")?;
            __cr::check_reserved(self.pad, "pad")?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Segment) {
            dst.base = __cr::Same::restore(self.base, dst.base);
            dst.limit = __cr::Same::restore(self.limit, dst.limit);
            dst.selector = __cr::Same::restore(self.selector, dst.selector);
            dst.dpl = __cr::Same::restore(self.dpl, dst.dpl);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Segment) {}
    }
};
#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[automatically_derived]
    impl ::cr_core::Layout for SregsHeader {
        const NAME: &'static str = "SregsHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            ::cr_core::FieldInfo {
                name: "cs",
                path: ::core::option::Option::Some("cs"),
                offset: ::core::mem::offset_of!(SregsHeader, cs),
                size: ::core::mem::size_of::<SegmentHeader>(),
                ty: "SegmentHeader",
                format: <SegmentHeader as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    __cr::nest::<Sregs, SegmentHeader, _>(|t| t.cs).layout,
                ),
            },
            ::cr_core::FieldInfo {
                name: "segs",
                path: ::core::option::Option::Some("segs"),
                offset: ::core::mem::offset_of!(SregsHeader, segs),
                size: ::core::mem::size_of::<[SegmentHeader; 4]>(),
                ty: "[SegmentHeader; 4]",
                format: <[SegmentHeader; 4] as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Nested(
                    __cr::nest::<Sregs, [SegmentHeader; 4], _>(|t| t.segs).layout,
                ),
            },
            ::cr_core::FieldInfo {
                name: "cr0",
                path: ::core::option::Option::Some("cr0"),
                offset: ::core::mem::offset_of!(SregsHeader, cr0),
                size: ::core::mem::size_of::<u64>(),
                ty: "u64",
                format: <u64 as ::cr_core::layout::Describe>::FORMAT,
                mode: ::cr_core::layout::Mode::Copy,
            },
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::layout::Describe for SregsHeader {
        const FORMAT: ::cr_core::layout::Format = ::cr_core::layout::Format::Header {
            fingerprint: __cr::fingerprint_of::<Self>(),
            size: ::core::mem::size_of::<Self>(),
        };
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Sregs> for SregsHeader {
        fn save(&mut self, src: &Sregs) {
            self.cs = __cr::nest::<Sregs, SegmentHeader, _>(|t| t.cs)
                .save(self.cs, src.cs);
            self.segs = __cr::nest::<Sregs, [SegmentHeader; 4], _>(|t| t.segs)
                .save(self.segs, src.segs);
            self.cr0 = __cr::Same::save(self.cr0, src.cr0);
        }
        fn restore(
            &self,
            dst: &mut Sregs,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Sregs> for SregsHeader {
        #[inline]
        fn check(&self, dst: &Sregs) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::nest::<Sregs, SegmentHeader, _>(|t| t.cs)
                .check(
                    self.cs,
                    dst.cs,
                    const { &<Self as ::cr_core::Layout>::FIELDS[0] },
                )?;
            __cr::nest::<Sregs, [SegmentHeader; 4], _>(|t| t.segs)
                .check(
                    self.segs,
                    dst.segs,
                    const { &<Self as ::cr_core::Layout>::FIELDS[1] },
                )?;
            let validate: fn(
                &Self,
                &Sregs,
            ) -> ::core::result::Result<(), ::cr_core::Error> = check_sregs;
            validate(self, dst).map_err(__cr::locate::<Self>)?;
            ::core::result::Result::Ok(())
        }
        #[inline]
        fn write(&self, dst: &mut Sregs) {
            dst.cs = __cr::nest::<Sregs, SegmentHeader, _>(|t| t.cs)
                .write(self.cs, dst.cs);
            dst.segs = __cr::nest::<Sregs, [SegmentHeader; 4], _>(|t| t.segs)
                .write(self.segs, dst.segs);
            dst.cr0 = __cr::Same::restore(self.cr0, dst.cr0);
        }
        #[inline]
        fn after_restore(&self, dst: &mut Sregs) {
            dst.cs = __cr::nest::<Sregs, SegmentHeader, _>(|t| t.cs)
                .after_restore(self.cs, dst.cs);
            dst.segs = __cr::nest::<Sregs, [SegmentHeader; 4], _>(|t| t.segs)
                .after_restore(self.segs, dst.segs);
            let after_restore: fn(&mut Sregs) = load_sregs;
            after_restore(dst);
        }
    }
};
