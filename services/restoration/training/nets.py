"""The PyTorch networks: a residual ESPCN for super-resolution and an FFDNet-style denoiser."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ResidualESPCN(nn.Module):
    """ESPCN on the luma channel plus a bicubic skip: out = bicubic(lr) + shuffle(net(lr)).

    Input and output are N x 1 x H x W in [0, 1]; the output is `scale` times larger.
    `act`: "relu" or "prelu" (PReLU, as in FSRCNN, cannot die: the x2 ReLU run collapsed to zero).
    """

    def __init__(self, scale: int, features: int = 64, mid: int = 32, act: str = "relu") -> None:
        super().__init__()
        self.scale = scale

        def activation(channels: int) -> nn.Module:
            return nn.PReLU(channels, init=0.1) if act == "prelu" else nn.ReLU(inplace=True)

        self.body = nn.Sequential(
            nn.Conv2d(1, features, 5, padding=2),
            activation(features),
            nn.Conv2d(features, mid, 3, padding=1),
            activation(mid),
            nn.Conv2d(mid, mid, 3, padding=1),
            activation(mid),
            nn.Conv2d(mid, scale * scale, 3, padding=1),
        )
        nn.init.normal_(self.body[-1].weight, std=1e-3)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(lr, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return base + F.pixel_shuffle(self.body(lr), self.scale)


class FFDNetLite(nn.Module):
    """Non-blind residual denoiser in the FFDNet style.

    Input N x 4 x H x W: RGB in [0, 1] and a noise-level map (sigma / 255). H and W must be even.
    Works at half resolution (pixel unshuffle) and predicts the noise, which it subtracts.
    Output N x 3 x H x W in [0, 1] (not clipped).
    """

    def __init__(self, features: int = 48, depth: int = 6) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(13, features, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(features, features, 3, padding=1), nn.ReLU(inplace=True)]
        layers.append(nn.Conv2d(features, 12, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rgb = x[:, :3]
        sigma = x[:, 3:4]
        packed = F.pixel_unshuffle(rgb, 2)
        sigma_half = F.avg_pool2d(sigma, 2)
        noise = F.pixel_shuffle(self.body(torch.cat([packed, sigma_half], dim=1)), 2)
        return rgb - noise
