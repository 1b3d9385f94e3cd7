#[doc(hidden)]
const _: () = {
    #[allow(unused_imports)]
    use ::cr_core::__private as __cr;
    #[automatically_derived]
    impl ::cr_core::Layout for SegmentHeader {
        const NAME: &'static str = "SegmentHeader";
        const FIELDS: &'static [::cr_core::FieldInfo] = &[
            __cr::path_row::<
                u64,
            >(
                "base",
                "base",
                __cr::offset_of!(SegmentHeader, base),
                "u64",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u32,
            >(
                "limit",
                "limit",
                __cr::offset_of!(SegmentHeader, limit),
                "u32",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u16,
            >(
                "selector",
                "selector",
                __cr::offset_of!(SegmentHeader, selector),
                "u16",
                __cr::Mode::Copy,
            ),
            __cr::path_row::<
                u8,
            >(
                "dpl",
                "dpl",
                __cr::offset_of!(SegmentHeader, dpl),
                "u8",
                __cr::Mode::StrictMask {
                    mask: (3) as u64,
                },
            ),
            __cr::row::<
                u8,
            >("pad", __cr::offset_of!(SegmentHeader, pad), "u8", __cr::Mode::Reserved),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Segment> for SegmentHeader {
        #[inline]
        fn save(&mut self, src: &Segment) {
            self.base = __cr::Same::save(self.base, src.base);
            self.limit = __cr::Same::save(self.limit, src.limit);
            self.selector = __cr::Same::save(self.selector, src.selector);
            self.dpl = __cr::Same::save(self.dpl, src.dpl);
            self.pad = __cr::FromZeros::new_zeroed();
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Segment,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Segment> for SegmentHeader {
        #[inline(always)]
        fn check(&self, dst: &Segment) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::check_mask(self.dpl, 3, "dpl", "dpl") {
                return __cr::Err(__e);
            }
            if let __cr::Err(__e) = __cr::check_reserved(self.pad, "pad") {
                return __cr::Err(__e);
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Segment) {
            dst.base = self.base as _;
            dst.limit = self.limit as _;
            dst.selector = self.selector as _;
            dst.dpl = self.dpl as _;
        }
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
            __cr::path_row::<
                SegmentHeader,
            >(
                "cs",
                "cs",
                __cr::offset_of!(SregsHeader, cs),
                "SegmentHeader",
                __cr::Mode::Nested(
                    __cr::nest_ref::<Sregs, SegmentHeader, _>(|t| &t.cs).layout,
                ),
            ),
            __cr::path_row::<
                [SegmentHeader; 4],
            >(
                "segs",
                "segs",
                __cr::offset_of!(SregsHeader, segs),
                "[SegmentHeader; 4]",
                __cr::Mode::Nested(
                    __cr::nest_each_ref::<Sregs, SegmentHeader, _, 4>(|t| &t.segs).layout,
                ),
            ),
            __cr::path_row::<
                u64,
            >("cr0", "cr0", __cr::offset_of!(SregsHeader, cr0), "u64", __cr::Mode::Copy),
        ];
        const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(
            ::core::mem::size_of::<Self>(),
            __cr::fields_of::<Self>(),
        );
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Sregs> for SregsHeader {
        #[inline]
        fn save(&mut self, src: &Sregs) {
            __cr::nest_ref::<Sregs, SegmentHeader, _>(|t| &t.cs)
                .save_ref(&mut self.cs, &src.cs);
            for __i in 0..4 {
                __cr::nest_each_ref::<Sregs, SegmentHeader, _, 4>(|t| &t.segs)
                    .save_ref(&mut self.segs[__i], &src.segs[__i]);
            }
            self.cr0 = __cr::Same::save(self.cr0, src.cr0);
        }
        #[inline]
        fn restore(
            &self,
            dst: &mut Sregs,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            __cr::restore(self, dst)
        }
    }
    #[automatically_derived]
    impl __cr::Phases<Sregs> for SregsHeader {
        #[inline(always)]
        fn check(&self, dst: &Sregs) -> ::core::result::Result<(), ::cr_core::Error> {
            if let __cr::Err(__e) = __cr::nest_ref::<Sregs, SegmentHeader, _>(|t| &t.cs)
                .check_ref(
                    &self.cs,
                    &dst.cs,
                    const { &<Self as ::cr_core::Layout>::FIELDS[0] },
                    __cr::None,
                )
            {
                return __cr::Err(__e);
            }
            for __i in 0..4 {
                if let __cr::Err(__e) = __cr::nest_each_ref::<
                    Sregs,
                    SegmentHeader,
                    _,
                    4,
                >(|t| &t.segs)
                    .check_ref(
                        &self.segs[__i],
                        &dst.segs[__i],
                        const { &<Self as ::cr_core::Layout>::FIELDS[1] },
                        __cr::Some(__i),
                    )
                {
                    return __cr::Err(__e);
                }
            }
            let validate: fn(
                &Self,
                &Sregs,
            ) -> ::core::result::Result<(), ::cr_core::Error> = check_sregs;
            if let __cr::Err(__e) = validate(self, dst) {
                return __cr::Err(__cr::locate::<Self>(__e));
            }
            ::core::result::Result::Ok(())
        }
        #[inline(always)]
        #[allow(trivial_casts, trivial_numeric_casts)]
        fn write(&self, dst: &mut Sregs) {
            __cr::nest_ref::<Sregs, SegmentHeader, _>(|t| &t.cs)
                .write_ref(&self.cs, &mut dst.cs);
            for __i in 0..4 {
                __cr::nest_each_ref::<Sregs, SegmentHeader, _, 4>(|t| &t.segs)
                    .write_ref(&self.segs[__i], &mut dst.segs[__i]);
            }
            dst.cr0 = self.cr0 as _;
        }
        #[inline]
        fn after_restore(&self, dst: &mut Sregs) {
            __cr::nest_ref::<Sregs, SegmentHeader, _>(|t| &t.cs)
                .after_ref(&self.cs, &mut dst.cs);
            for __i in 0..4 {
                __cr::nest_each_ref::<Sregs, SegmentHeader, _, 4>(|t| &t.segs)
                    .after_ref(&self.segs[__i], &mut dst.segs[__i]);
            }
            let after_restore: fn(&mut Sregs) = load_sregs;
            after_restore(dst);
        }
    }
};
