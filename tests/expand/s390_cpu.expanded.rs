#[doc(hidden)]
const _: () = {
    const _: () = ::core::assert!(
        ::cr_core::__private::size_of_place:: < Task, _ > (| t | & t.thread.fp_regs.fprs)
        == ::core::mem::size_of:: < [u64; 16] > (),
        "cr: header field `fprs` maps `thread.fp_regs.fprs` with `bits`, but the two types differ in size; `bits` reinterprets bytes, so give the header field a type of the live place's size"
    );
    #[automatically_derived]
    impl CrHdrCpu {
        ///Bit 0 of `em_instr`: set when `thread.per_info.single_step` is true.
        pub const EM_INSTR_SINGLE_STEP: u8 = 1 << 0;
        ///Bit 1 of `em_instr`: set when `thread.per_info.instruction_fetch` is true.
        pub const EM_INSTR_INSTRUCTION_FETCH: u8 = 1 << 1;
        ///Every flag bit of `em_instr` (bits 0, 1); restore rejects any other bit.
        pub const EM_INSTR_ALL: u8 = Self::EM_INSTR_SINGLE_STEP
            | Self::EM_INSTR_INSTRUCTION_FETCH;
    }
    #[automatically_derived]
    impl ::cr_core::CrCopy<Task> for CrHdrCpu {
        fn save(&mut self, src: &Task) {
            ::cr_core::__private::Same::save(&mut self.args, &src.regs.args);
            ::cr_core::__private::Same::save(&mut self.psw_mask, &src.regs.psw.mask);
            ::cr_core::__private::Same::save(&mut self.psw_addr, &src.regs.psw.addr);
            ::cr_core::__private::Same::save(&mut self.gprs, &src.regs.gprs);
            ::cr_core::__private::Same::save(&mut self.orig_gpr2, &src.regs.orig_gpr2);
            ::cr_core::__private::widen(&mut self.ilc, &src.regs.ilc);
            ::cr_core::__private::widen(&mut self.svcnr, &src.regs.svcnr);
            ::cr_core::__private::Same::save(&mut self.fpc, &src.thread.fp_regs.fpc);
            ::cr_core::__private::Same::save(
                &mut self.per_atmid,
                &src.thread.per_info.lowcore.words.perc_atmid,
            );
            ::cr_core::__private::Same::save(
                &mut self.per_access_id,
                &src.thread.per_info.lowcore.words.access_id,
            );
            self.em_instr = 0;
            ::cr_core::__private::save_flag(
                &mut self.em_instr,
                Self::EM_INSTR_SINGLE_STEP,
                &src.thread.per_info.single_step,
            );
            ::cr_core::__private::save_flag(
                &mut self.em_instr,
                Self::EM_INSTR_INSTRUCTION_FETCH,
                &src.thread.per_info.instruction_fetch,
            );
            ::cr_core::__private::bits(&mut self.fprs, &src.thread.fp_regs.fprs);
            ::cr_core::__private::Same::save(&mut self.acrs, &src.thread.acrs);
            ::cr_core::__private::Same::save(&mut self.ksp, &src.thread.ksp);
            ::cr_core::__private::Same::save(
                &mut self.ieee_instruction_pointer,
                &src.thread.ieee_instruction_pointer,
            );
            ::cr_core::__private::Same::save(
                &mut self.per_control_regs,
                &src.thread.per_info.control_regs.words,
            );
            ::cr_core::__private::Same::save(
                &mut self.per_starting_addr,
                &src.thread.per_info.starting_addr,
            );
            ::cr_core::__private::Same::save(
                &mut self.per_ending_addr,
                &src.thread.per_info.ending_addr,
            );
            ::cr_core::__private::Same::save(
                &mut self.per_address,
                &src.thread.per_info.lowcore.words.address,
            );
            self.reserved = ::cr_core::zerocopy::FromZeros::new_zeroed();
        }
        fn restore(
            &self,
            dst: &mut Task,
        ) -> ::core::result::Result<(), ::cr_core::Error> {
            let ilc = ::cr_core::__private::narrow(&self.ilc, "ilc", "regs.ilc")?;
            let svcnr = ::cr_core::__private::narrow(
                &self.svcnr,
                "svcnr",
                "regs.svcnr",
            )?;
            ::cr_core::__private::check_mask(
                &self.fpc,
                FPC_VALID_MASK,
                "fpc",
                "thread.fp_regs.fpc",
            )?;
            ::cr_core::__private::check_flags(
                &self.em_instr,
                Self::EM_INSTR_ALL,
                "em_instr",
            )?;
            ::cr_core::__private::check_reserved(&self.reserved, "reserved")?;
            validate_cpu(self, &*dst)?;
            ::cr_core::__private::Same::restore(&self.args, &mut dst.regs.args);
            ::cr_core::__private::Same::restore_masked(
                &self.psw_mask,
                &mut dst.regs.psw.mask,
                PSW_MASK_USER,
            );
            ::cr_core::__private::Same::restore_masked(
                &self.psw_addr,
                &mut dst.regs.psw.addr,
                PSW_ADDR_INSN,
            );
            ::cr_core::__private::Same::restore(&self.gprs, &mut dst.regs.gprs);
            ::cr_core::__private::Same::restore(
                &self.orig_gpr2,
                &mut dst.regs.orig_gpr2,
            );
            dst.regs.ilc = ilc;
            dst.regs.svcnr = svcnr;
            ::cr_core::__private::Same::restore(&self.fpc, &mut dst.thread.fp_regs.fpc);
            ::cr_core::__private::Same::restore(
                &self.per_atmid,
                &mut dst.thread.per_info.lowcore.words.perc_atmid,
            );
            ::cr_core::__private::Same::restore(
                &self.per_access_id,
                &mut dst.thread.per_info.lowcore.words.access_id,
            );
            ::cr_core::__private::restore_flag(
                &mut dst.thread.per_info.single_step,
                self.em_instr,
                Self::EM_INSTR_SINGLE_STEP,
            );
            ::cr_core::__private::restore_flag(
                &mut dst.thread.per_info.instruction_fetch,
                self.em_instr,
                Self::EM_INSTR_INSTRUCTION_FETCH,
            );
            ::cr_core::__private::bits(&mut dst.thread.fp_regs.fprs, &self.fprs);
            ::cr_core::__private::Same::restore(&self.acrs, &mut dst.thread.acrs);
            ::cr_core::__private::Same::restore(
                &self.ieee_instruction_pointer,
                &mut dst.thread.ieee_instruction_pointer,
            );
            ::cr_core::__private::Same::restore(
                &self.per_control_regs,
                &mut dst.thread.per_info.control_regs.words,
            );
            ::cr_core::__private::Same::restore(
                &self.per_starting_addr,
                &mut dst.thread.per_info.starting_addr,
            );
            ::cr_core::__private::Same::restore(
                &self.per_ending_addr,
                &mut dst.thread.per_info.ending_addr,
            );
            ::cr_core::__private::Same::restore(
                &self.per_address,
                &mut dst.thread.per_info.lowcore.words.address,
            );
            restore_access_regs(dst);
            ::core::result::Result::Ok(())
        }
    }
};
