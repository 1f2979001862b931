"""Recipes: every trained run declared once (registry), how runs are built and fed, and each homework part's
figures and closing numbers (image_generation, tips, text_to_image, style_transfer, celeb)."""
