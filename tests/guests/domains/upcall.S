/*
 * The event callback. hv-core enters it on the kernel stack with a
 * struct pvabi_event_upcall_frame at rsp (16-byte aligned). It saves the
 * registers C may clobber, lets peer_upcall (events.c) take the pending
 * ports and build a struct pvabi_iret_frame below the upcall frame, and
 * returns through the hypercall page's PVABI_HC_IRET stub with rsp at that
 * frame. rax, rcx and r11 come back from the iret frame.
 */
	.text
	.globl peer_upcall_entry
	.type peer_upcall_entry, @function
peer_upcall_entry:
	sub $80, %rsp			/* the iret frame */
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	sub $8, %rsp			/* the call below stays 16-byte aligned */
	cld
	lea 160(%rsp), %rdi		/* the upcall frame */
	lea 80(%rsp), %rsi		/* the iret frame to fill */
	mov %rax, %rdx			/* rax as it was interrupted */
	call peer_upcall
	add $8, %rsp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	jmp *peer_iret_stub(%rip)	/* does not return */
	.size peer_upcall_entry, . - peer_upcall_entry

	.section .note.GNU-stack, "", @progbits
