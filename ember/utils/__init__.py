"""ember.utils: data loading, TensorBoard, checkpoints and model inspection."""
