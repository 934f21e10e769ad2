"""Small real models for the runtime tests: built fast on CPU or on `meta`."""

from __future__ import annotations

import torch
from torch import nn


class RMSNorm(nn.Module):
    """A model's own norm class, as Llama, T5 and most LLM code bases have one."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))


class GPTBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.ln_1 = RMSNorm(dim)
        self.attn = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln_2 = RMSNorm(dim)
        self.mlp = nn.Linear(dim, 4 * dim, bias=False)


class GPT(nn.Module):
    """nanoGPT's layout: `wte`/`wpe` embeddings, a tied `lm_head`, `ln_f`."""

    def __init__(self, vocab: int = 64, dim: int = 16, layers: int = 3) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(32, dim)
        self.h = nn.ModuleList(GPTBlock(dim) for _ in range(layers))
        self.ln_f = RMSNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.wte.weight


class ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)


class ResNet(nn.Module):
    def __init__(self, channels: int = 8, blocks: int = 2, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.blocks = nn.Sequential(*(ResidualBlock(channels) for _ in range(blocks)))
        self.fc = nn.Linear(channels, classes)


class EmbeddingModel(nn.Module):
    """A recommender-style model: mostly embedding tables."""

    def __init__(self) -> None:
        super().__init__()
        self.users = nn.Embedding(100, 8)
        self.items = nn.EmbeddingBag(200, 8, mode="mean")
        self.tower = nn.Linear(16, 8)
        self.norm = nn.LayerNorm(8)
        self.out = nn.Linear(8, 1)


class ViT(nn.Module):
    """timm's conventions: `pos_embed`/`cls_token` params and a `no_weight_decay()` hook."""

    def __init__(self, dim: int = 16) -> None:
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, 4, stride=4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 17, dim))
        self.rel_pos_table = nn.Parameter(torch.zeros(7, 7))
        self.block = nn.TransformerEncoderLayer(dim, 2, 32)
        self.head = nn.Linear(dim, 10)

    def no_weight_decay(self) -> set[str]:
        return {"pos_embed", "cls_token", "rel_pos_table"}


def transformer() -> nn.Transformer:
    return nn.Transformer(
        d_model=16, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=32,
        batch_first=True,
    )


MODELS = {"transformer": transformer, "resnet": ResNet, "gpt": GPT, "embeddings": EmbeddingModel, "vit": ViT}


def build(name: str, device: str = "cpu") -> nn.Module:
    with torch.device(device):
        return MODELS[name]()


def split_by_ndim(model: nn.Module, weight_decay: float) -> list[dict[str, object]]:
    """nanoGPT's recipe: decay >= 2-D params, not the rest."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
