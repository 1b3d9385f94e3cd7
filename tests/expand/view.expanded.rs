#[doc(hidden)]
const _: () = {
    #[automatically_derived]
    impl PerHdr {
        ///Bit 0 of `trace`: set when `thread.per_info.single_step` is true.
        pub const TRACE_SINGLE_STEP: u16 = 1 << 0;
        ///Every flag bit of `trace` (bits 0); restore rejects any other bit.
        pub const TRACE_ALL: u16 = Self::TRACE_SINGLE_STEP;
    }
    #[automatically_derived]
    impl<'__cr0> ::cr_core::CrCopy<TaskView<'__cr0>> for PerHdr {
        fn save(&mut self, src: &TaskView<'__cr0>) {
            ::cr_core::__private::Same::save(&mut self.psw_addr, &src.regs.psw.addr);
            ::cr_core::__private::Same::save(
                &mut self.starting_addr,
                &src.thread.per_info.starting_addr,
            );
            self.trace = 0;
            ::cr_core::__private::save_flag(
                &mut self.trace,
                Self::TRACE_SINGLE_STEP,
                &src.thread.per_info.single_step,
            );
        }
        fn restore(
            &self,
            dst: &mut TaskView<'__cr0>,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            ::cr_core::__private::check_flags(&self.trace, Self::TRACE_ALL, "trace")?;
            ::cr_core::__private::Same::restore(&self.psw_addr, &mut dst.regs.psw.addr);
            ::cr_core::__private::Same::restore(
                &self.starting_addr,
                &mut dst.thread.per_info.starting_addr,
            );
            ::cr_core::__private::restore_flag(
                &mut dst.thread.per_info.single_step,
                self.trace,
                Self::TRACE_SINGLE_STEP,
            );
            ::core::result::Result::Ok(())
        }
    }
};
