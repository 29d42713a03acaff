// The model plugin (librft_model_torch.so) is rft_model_torch linked whole; a module needs at
// least one source of its own, and this is it.
